"""Guest exceptions: how the VM raises, carries and describes MicroPython exceptions.

A guest exception travels through the host as ``GuestException(instance)``,
distinct from ``VMInternalError`` (a VM bug), so no code ever has to guess
which of the two it caught. The instance is an ``Instance`` whose ``native`` is
an ``ExcData`` (args + traceback), whether its class is built in or a user
subclass. ``str(KeyError('k'))`` is ``k`` and the repr has MicroPython's
trailing comma (``KeyError('k',)``); there is no chaining and no ``__cause__``.
"""

from __future__ import annotations

from typing import Any

from reference_vm.containers import MPDict
from reference_vm.mptypes import BASE_EXCEPTION, EXCEPTIONS
from reference_vm.objects import ExcData, Instance, MPType


class GuestException(Exception):
    """A MicroPython exception propagating through the VM (not a VM bug)."""

    def __init__(self, instance: Instance) -> None:
        super().__init__(instance)
        self.instance = instance

    @property
    def type_name(self) -> str:
        return self.instance.mp_type.name

    def __str__(self) -> str:
        return f"{self.type_name}: {exc_args(self.instance)!r}"


def new_exception(cls: MPType, args: tuple[Any, ...] = ()) -> Instance:
    """A fresh exception instance of ``cls`` (built in or user subclass)."""
    return Instance(cls, MPDict(), ExcData(tuple(args)))


def mp_error(name: str, message: str | None = None) -> GuestException:
    """``raise mp_error('TypeError', "...")``: a built-in exception with one message argument."""
    args = () if message is None else (message,)
    return GuestException(new_exception(EXCEPTIONS[name], args))


def is_exception(value: Any) -> bool:
    return isinstance(value, Instance) and isinstance(value.native, ExcData) and \
        value.mp_type.is_subclass(BASE_EXCEPTION)


def exc_data(instance: Instance) -> ExcData:
    data = instance.native
    if not isinstance(data, ExcData):  # a user class that overrode __new__ oddly
        data = instance.native = ExcData()
    return data


def exc_args(instance: Instance) -> tuple[Any, ...]:
    return exc_data(instance).args


def exc_value(instance: Instance) -> Any:
    """StopIteration's ``value``: the first argument, or None."""
    args = exc_args(instance)
    return args[0] if args else None
