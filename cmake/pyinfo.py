"""Describes a CPython for the build (cmake/runtimes.cmake): one key=value a
line. Runs under the interpreter being described, 3.11 or newer."""

import os
import sys
import sysconfig

v = sys.version_info
cv = sysconfig.get_config_var
free_threaded = bool(cv("Py_GIL_DISABLED"))
libdirs = [d for d in (cv("LIBDIR"), cv("LIBPL")) if d]
if cv("LIBDIR") and cv("MULTIARCH"):
    libdirs.append(os.path.join(cv("LIBDIR"), cv("MULTIARCH")))
print(f"tag={v[0]}.{v[1]}{'t' if free_threaded else ''}")
print(f"version={sys.version.split()[0]}")
print(f"hex={sys.hexversion}")
print(f"home={sys.base_prefix}")
print(f"include={cv('INCLUDEPY')}")
print(f"confinclude={cv('CONFINCLUDEPY') or cv('INCLUDEPY')}")
print(f"ldversion={cv('LDVERSION') or f'{v[0]}.{v[1]}'}")
print(f"libdirs={';'.join(libdirs)}")
print(f"shared={int(cv('Py_ENABLE_SHARED') or 0)}")
