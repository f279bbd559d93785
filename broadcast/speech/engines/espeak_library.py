"""Find an espeak-ng library: the system's when installed, else espeakng-loader's."""

from __future__ import annotations

import ctypes
import functools
import os

from broadcast.errors import ToolError

# Asked of the dynamic loader by name, which is quick when the library is missing; ctypes.util's
# find_library ran ldconfig and gcc for that answer (a speech worker started in 80 ms, now 65).
# "libespeak-ng.so" is the development link, whatever the library's version.
_SYSTEM_SONAMES = ("libespeak-ng.so.1", "libespeak-ng.so", "/usr/local/lib/libespeak-ng.so.1")


def system_library() -> str:
    """The soname of an installed system libespeak-ng, or "" when there is none."""
    for name in _SYSTEM_SONAMES:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return name
    return ""


def load_espeak() -> str:
    """Make the espeak-ng library loadable by pyttsx3; returns which one was chosen.

    Must run before pyttsx3 is imported. The pip library needs ESPEAK_DATA_PATH
    set first: without it espeak-ng exits the process when it cannot find phontab.
    Loaded RTLD_LOCAL (the default): RTLD_GLOBAL crashed beside piper.
    """
    if system_library():
        return "system"
    try:
        import espeakng_loader
    except ImportError as exc:
        raise ToolError(
            "no espeak-ng library: install it (apt-get install libespeak-ng1) or pip install espeakng-loader"
        ) from exc
    os.environ["ESPEAK_DATA_PATH"] = espeakng_loader.get_data_path()
    ctypes.CDLL(espeakng_loader.get_library_path())
    return "espeakng-loader"


@functools.lru_cache(maxsize=1)
def library_version() -> str:
    """Which espeak-ng library load_espeak would choose and its version, without starting it:
    espeak_Info only returns a constant, so no data is read and nothing can exit the process."""
    name = system_library()
    origin = "system"
    if not name:
        try:
            import espeakng_loader
        except ImportError:
            return "none"  # the worker's start names the install command
        import importlib.metadata  # only here: a worker loads the library without asking its version

        name = espeakng_loader.get_library_path()
        origin = f"espeakng-loader {importlib.metadata.version('espeakng-loader')}"
    info = ctypes.CDLL(name).espeak_Info
    info.restype = ctypes.c_char_p
    info.argtypes = [ctypes.c_void_p]
    return f"{origin} {(info(None) or b'?').decode('ascii', 'replace')}"
