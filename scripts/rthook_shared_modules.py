# PyInstaller runtime hook (build.spec), run before any other: both executables import their Python modules
# from one archive, _internal/python-modules.pyz, instead of each carrying its own copy (9.5 MB each).
#
# PyInstaller has no setting for this ("the PYZ archive cannot be shared among executables",
# pyinstaller/pyinstaller#8424): each executable embeds a PYZ and the frozen importer reads it through the
# module-level `pyz_archive` of pyimod02_importers. Each executable here embeds a PYZ holding only what the
# bootloader imports before this hook; the hook points the frozen importer at the shared archive, so every
# later import comes from it, with the same __file__, resources and fallback to extension modules on disk as
# PyInstaller's own archive. It relies on PyInstaller internals (pinned in constraints.txt): when they change,
# this raises at start-up and both executables fail at once, which scripts/smoke_bundle.sh (Linux) and the
# Windows release workflow catch before anything ships.
import os
import sys


def _use_shared_archive():
    import pyimod01_archive
    import pyimod02_importers

    for name in ("pyz_archive", "PyiFrozenFinder", "_pyz_tree", "_pyz_tree_lock"):
        if not hasattr(pyimod02_importers, name):
            raise RuntimeError(f"PQA Desktop: PyInstaller's importer has no {name}; scripts/rthook_shared_modules.py "
                               "needs updating for this PyInstaller")
    path = os.path.join(sys._MEIPASS, "python-modules.pyz")
    archive = pyimod01_archive.ZlibArchiveReader(path, start_offset=0, check_pymagic=True)
    with pyimod02_importers._pyz_tree_lock:
        pyimod02_importers.pyz_archive = archive
        pyimod02_importers._pyz_tree = None  # rebuilt from the shared archive when first asked for
    # Finders made so far hold the embedded archive: drop them so the next import makes new ones.
    for key, finder in list(sys.path_importer_cache.items()):
        if isinstance(finder, pyimod02_importers.PyiFrozenFinder):
            del sys.path_importer_cache[key]


_use_shared_archive()
del _use_shared_archive
