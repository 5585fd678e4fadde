"""System check: every declared transition names states the model's field actually has."""

from django.core import checks
from django.core.exceptions import FieldDoesNotExist

from .machine import StateMachine, machines


def check_machine(machine: StateMachine) -> list[checks.CheckMessage]:
    label = machine.model._meta.label
    try:
        field = machine.model._meta.get_field(machine.field)
    except FieldDoesNotExist:
        return [checks.Error(f"{label}: state field {machine.field!r} does not exist.", id="workflow.E001")]
    states = {str(value) for value, _label in field.flatchoices}
    if not states:
        return [checks.Error(f"{label}.{machine.field} has no choices.", id="workflow.E002")]
    errors = []
    for transition in machine.transitions:
        unknown = {*transition.source, transition.target} - states
        if unknown:
            errors.append(
                checks.Error(
                    f"{label}: transition {transition.name!r} names unknown states {sorted(unknown)}.",
                    id="workflow.E003",
                )
            )
    return errors


@checks.register(checks.Tags.models)
def check_state_machines(app_configs=None, **kwargs):
    return [error for machine in machines() for error in check_machine(machine)]
