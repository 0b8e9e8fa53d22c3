"""(to be written)"""

from types import MappingProxyType

__all__: list[str] = []

METHODS = MappingProxyType({})
