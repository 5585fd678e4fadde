"""What partners tells other apps without knowing them (they connect in their ``AppConfig.ready()``)."""

from django.dispatch import Signal

#: Finance confirmed an agreement's credit deposit as received: ``agreement``, ``actor`` (in the
#: confirming transaction; ``funds`` writes the deposit ledger's ``received`` entry).
deposit_confirmed = Signal()
