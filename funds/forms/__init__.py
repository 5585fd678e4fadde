"""Forms of the channel fund pages. They parse and present; the services decide (and raise ValidationError)."""
