"""Qt's ICU data cut to what Qt uses, for the Linux bundle (build.spec calls `slim`, scripts/smoke_bundle.sh `check`).

PySide6's Linux Qt links ICU (libicuuc, libicui18n, libicudata), so the three libraries must ship: Qt Core
will not load without them. libicudata is nothing but ICU's data package (32 MB) behind one exported symbol,
`icudt<major>_dat`. Qt Core calls ICU for four things only (its undefined ICU symbols, `QT_ICU_CALLS`), and
Qt Gui and Qt Widgets call none:
  - case mapping (u_strToUpper/u_strToLower, QLocale::toUpper): code and tables built into libicuuc;
  - time zones (ucal_*: QTimeZone ids and display names): zoneinfo64, metaZones, the zone/ names;
  - text codecs beyond UTF-8/16/32 and Latin-1 (ucnv_*: QStringConverter by name): cnvalias and the .cnv tables;
  - collation (ucol_*: QCollator, which the file dialog sorts with): coll/ucadata and the tailorings.
So the package built here keeps what those four read (zoneinfo64, metaZones and the other supplemental
tables, zone/ names, coll/, cnvalias and the converters) and drops:
  - data for services Qt never calls: break iteration (3.4 MB) with its Thai,
    Khmer, Lao, Burmese and CJK dictionaries (brkitr/), transliteration (translit/), currency, unit,
    language and region display names and spelled-out numbers (curr/, unit/, lang/, region/, rbnf/), character
    names, emoji and layout properties (unames, uemoji, ulayout), NFKC and IDNA normalisation (*.nrm),
    StringPrep profiles (*.spp) and spoof-checking confusables (*.cfu);
  - locale data other than root, English and Welsh (en*, cy*): the app is English, and under another system
    locale ICU falls back as it does for any locale it has no data for, to English time zone names and the
    standard Unicode collation order (so a Swedish locale's file dialog would sort å, ä, ö with a and o rather
    than after z);
  - multi-byte converters (CJK: GB18030, Big5, Shift_JIS, EUC-*, ...): every single-byte one is kept
    (windows-125x, ISO-8859-x, KOI8, Mac, DOS and EBCDIC code pages).
`slim` refuses to build when Qt Core calls an ICU function outside `QT_ICU_CALLS` (a new PySide6 may), so
the choice is looked at again; `check` runs Qt's four ICU services with the full and the cut data and fails
on any difference.

Needs binutils (as, ld, nm), which PyInstaller needs on Linux anyway.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

LOCALES_KEPT = ("root", "en", "cy")
CATEGORIES_DROPPED = ("brkitr", "translit", "curr", "unit", "lang", "region", "rbnf")
FILES_DROPPED = re.compile(r"^(unames\.icu|uemoji\.icu|ulayout\.icu|.*\.nrm|.*\.spp|.*\.cfu)$")
# The ICU functions Qt Core (PySide6 6.7-6.12) imports; any other means Qt uses ICU for something new.
QT_ICU_CALLS = re.compile(r"^(u_strToLower|u_strToUpper|ucal_\w+|ucnv_\w+|UCNV_\w+|ucol_\w+)_\d+$")
_LOCALE_FILE = re.compile(r"^(root|[a-z]{2,3}(_[A-Za-z0-9]+)*)\.res$")
_NOT_LOCALES = {"res_index.res"}


# --- ICU's common data package (CmnD): header, table of contents, items -----------------------------------
def read_package(data: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    header_size, magic1, magic2 = struct.unpack_from("<HBB", data, 0)
    if (magic1, magic2) != (0xDA, 0x27) or data[12:16] != b"CmnD" or data[8] != 0:  # little-endian only
        raise ValueError("not a little-endian ICU common data package")
    count = struct.unpack_from("<I", data, header_size)[0]
    entries = [struct.unpack_from("<II", data, header_size + 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_offset, data_offset) in enumerate(entries):
        start = header_size + name_offset
        name = data[start:data.index(b"\0", start)].decode("ascii")
        end = header_size + entries[i + 1][1] if i + 1 < count else len(data)
        items.append((name, data[header_size + data_offset:end]))
    return data[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """The package ICU reads: names sorted (ICU binary-searches them), every item 16-byte aligned."""
    items = sorted(items)
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    toc_size = 4 + 8 * len(items)
    first_item = _align(toc_size + len(names))
    entries, blobs, name_at, item_at = [], [], toc_size, first_item
    for name, blob in items:
        entries.append(struct.pack("<II", name_at, item_at))
        padded = blob + b"\0" * (_align(len(blob)) - len(blob))
        blobs.append(padded)
        name_at += len(name) + 1
        item_at += len(padded)
    toc = struct.pack("<I", len(items)) + b"".join(entries) + names
    return header + toc + b"\0" * (first_item - len(toc)) + b"".join(blobs)


def _align(n: int, to: int = 16) -> int:
    return (n + to - 1) // to * to


def kept(name: str, blob: bytes) -> bool:
    """Whether the cut package keeps this item (names look like icudt73l/coll/en_GB.res)."""
    parts = name.split("/")[1:]
    category, base = (parts[0] if len(parts) > 1 else ""), parts[-1]
    if category in CATEGORIES_DROPPED or FILES_DROPPED.match(base):
        return False
    if base.endswith(".cnv"):
        return _max_bytes_per_char(blob) == 1
    if _LOCALE_FILE.match(base) and base not in _NOT_LOCALES:
        language = base[:-4].split("_")[0]
        return language in LOCALES_KEPT
    return True


def _max_bytes_per_char(cnv: bytes) -> int:
    # UConverterStaticData follows the data header: structSize, name[60], codepage, platform, conversionType,
    # minBytesPerChar, maxBytesPerChar.
    header_size = struct.unpack_from("<H", cnv, 0)[0]
    return cnv[header_size + 4 + 60 + 4 + 3]


# --- the library ------------------------------------------------------------------------------------------
def _data_symbol(library: Path) -> tuple[str, int, int]:
    listing = subprocess.run(["nm", "-D", "--defined-only", "-S", str(library)], check=True, capture_output=True,
                             text=True, encoding="utf-8").stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) == 4 and re.fullmatch(r"icudt\d+_dat", fields[3]):
            return fields[3], int(fields[0], 16), int(fields[1], 16)
    raise ValueError(f"{library}: no icudt*_dat symbol")


def _file_offset(elf: bytes, address: int) -> int:
    if elf[:6] != b"\x7fELF\x02\x01":
        raise ValueError("not a little-endian 64-bit ELF file")
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, _flags, offset, vaddr, _paddr, filesz, _memsz, _align_ = struct.unpack_from(
            "<IIQQQQQQ", elf, phoff + i * phentsize)
        if p_type == 1 and vaddr <= address < vaddr + filesz:  # PT_LOAD
            return offset + address - vaddr
    raise ValueError(f"address {address:#x} is in no loaded segment")


def qt_icu_calls(qt_core: Path, major: str) -> set[str]:
    """The ICU functions Qt Core imports: ICU renames every function with its major version (u_strToUpper_73)."""
    listing = subprocess.run(["nm", "-D", "--undefined-only", str(qt_core)], check=True, capture_output=True,
                             text=True, encoding="utf-8").stdout
    names = {line.split()[-1].split("@")[0] for line in listing.splitlines() if line.strip()}
    return {name for name in names if name.endswith(f"_{major}")}


def slim(source: Path, target: Path, qt_core: Path) -> tuple[int, int]:
    """Write `target`, a libicudata with the cut package; returns the data sizes before and after."""
    elf = source.read_bytes()
    symbol, address, size = _data_symbol(source)
    calls = qt_icu_calls(qt_core, symbol[len("icudt"):-len("_dat")])
    unknown = sorted(name for name in calls if not QT_ICU_CALLS.match(name))
    if not calls or unknown:
        raise SystemExit(f"icu_data: Qt Core calls ICU functions this cut was not made for: {', '.join(unknown)}; "
                         "see scripts/icu_data.py before shipping less ICU data")
    start = _file_offset(elf, address)
    header, items = read_package(elf[start:start + size])
    package = write_package(header, [(name, blob) for name, blob in items if kept(name, blob)])
    soname = source.name  # libicudata.so.73: what libicuuc and libicui18n ask for
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        Path(work, "data.bin").write_bytes(package)
        Path(work, "data.s").write_text(
            "\t.section .rodata\n"
            f"\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n"
            f"{symbol}:\n\t.incbin \"data.bin\"\n\t.size {symbol}, . - {symbol}\n"
            "\t.section .note.GNU-stack,\"\",@progbits\n", encoding="ascii")
        subprocess.run(["as", "--64", "-o", "data.o", "data.s"], cwd=work, check=True)
        subprocess.run(["ld", "-shared", "-soname", soname, "-z", "noexecstack", "-o", "out.so", "data.o"],
                       cwd=work, check=True)
        os.replace(Path(work, "out.so"), target)
    return size, len(package)


# --- the check: Qt's ICU services with the full and the cut data ----------------------------------------
WORDS = ["zebra", "Äpfel", "apple", "Apple", "Zürich", "item 10", "item 9", "item 1", "éclair", "eclair",
         "Ångström", "Ysgol", "Llanelli", "Lloyd", "Chepstow", "Cwm", "Dd", "Ffestiniog", "ng", "Rhyl", "Thomas",
         "straße", "Strasse", "Øre", "O'Brien", "Ó Briain", "naïve", "naive", "résumé", "Resume", "_notes",
         "2024-09 return.xlsx", "2024-10 return.xlsx", "Case file audit (2).xlsx", "case file audit.xlsx"]
ZONES = ["Europe/London", "Europe/Dublin", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Sydney",
         "UTC", "GB", "Etc/GMT+5"]
CODECS = ["windows-1252", "windows-1250", "windows-1251", "windows-1253", "windows-1254", "windows-1257",
          "ISO-8859-1", "ISO-8859-2", "ISO-8859-15", "KOI8-R", "IBM437", "IBM850", "macintosh", "US-ASCII",
          "UTF-7", "IBM037"]
LOCALES = ["en_GB", "en_US", "en_IE", "cy_GB", "C"]
CONTROL = "Shift_JIS"  # multi-byte, so only in the full data: proves the cut library was the one loaded


def probe() -> dict:
    from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QStringEncoder, QTimeZone, Qt

    out: dict = {}
    for name in LOCALES:
        locale = QLocale(name)
        for numeric in (False, True):
            for case in (Qt.CaseSensitivity.CaseSensitive, Qt.CaseSensitivity.CaseInsensitive):
                collator = QCollator(locale)
                collator.setNumericMode(numeric)
                collator.setCaseSensitivity(case)
                key = functools.cmp_to_key(collator.compare)
                out[f"collate {name} numeric={numeric} {case.name}"] = sorted(WORDS, key=key)
        out[f"upper {name}"] = locale.toUpper("straße ǆ ﬁ ĳ ŉ ΐ iı")
        out[f"lower {name}"] = locale.toLower("İSTANBUL ΣΊΣΥΦΟΣ Ĳ")
        for zone in ZONES:
            tz = QTimeZone(zone.encode())
            for time_type in (QTimeZone.TimeType.StandardTime, QTimeZone.TimeType.DaylightTime):
                for name_type in (QTimeZone.NameType.LongName, QTimeZone.NameType.ShortName,
                                  QTimeZone.NameType.OffsetName):
                    out[f"zone {zone} {name} {time_type.name} {name_type.name}"] = tz.displayName(
                        time_type, name_type, locale)
    for zone in ZONES:
        tz = QTimeZone(zone.encode())
        out[f"zone id {zone}"] = [tz.isValid(), bytes(tz.id().data()).decode()]
    for upper in ("tr_TR", "lt_LT", "el_GR", "nl_NL"):
        out[f"upper {upper}"] = QLocale(upper).toUpper("iıĳ ΐ straße")
    # PySide6 cannot call a decoder (QStringDecoder is not callable from Python), but Qt decodes with it, e.g.
    # clipboard and drag-and-drop text in a named charset. A converter either opens (its table is in the data,
    # byte for byte as in the full package) or not.
    for codec in CODECS:
        decoder, encoder = QStringDecoder(codec), QStringEncoder(codec)
        out[f"codec {codec}"] = [decoder.isValid(), decoder.name(), encoder.isValid()]
    out["control"] = QStringDecoder(CONTROL).isValid()
    return out


def check(library: Path) -> int:
    """Compare Qt's ICU services with the full data (PySide6 as installed) and with `library` preloaded."""
    def run(preload: Path | None) -> dict:
        env = {key: value for key, value in os.environ.items() if key != "LD_PRELOAD"}
        env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TZ="Europe/London")
        if preload:
            env["LD_PRELOAD"] = str(preload.resolve())
        code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import icu_data; "
                "print(json.dumps(icu_data.probe(), ensure_ascii=True))")
        result = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)], env=env,
                                capture_output=True, text=True, encoding="utf-8", check=True)
        return json.loads(result.stdout)

    full = run(None)
    # LD_PRELOAD splits at spaces and colons, so the library is preloaded from a copy at a plain path.
    with tempfile.TemporaryDirectory(prefix="icu-check-") as work:
        copy = Path(work, library.name)
        if re.search(r"[\s:]", str(copy)):
            raise SystemExit(f"icu_data check: no plain temporary path to preload from ({copy})")
        shutil.copyfile(library, copy)
        cut = run(copy)
    if not full.pop("control"):
        print(f"icu_data check: {CONTROL} is missing from the full ICU data too; the check proves nothing",
              file=sys.stderr)
        return 1
    if cut.pop("control"):
        print(f"icu_data check: {CONTROL} still decodes: {library} was not the ICU data loaded", file=sys.stderr)
        return 1
    differences = sorted(key for key in full if full[key] != cut.get(key))
    for key in differences:
        print(f"icu_data check: {key}: full {full[key]!r}, cut {cut.get(key)!r}", file=sys.stderr)
    if differences:
        return 1
    print(f"ICU data check: collation, case mapping, {len(ZONES)} time zones and {len(CODECS)} codecs "
          f"({len(full)} results) identical with the cut data")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("slim", help="write a cut libicudata")
    make.add_argument("source", type=Path)
    make.add_argument("target", type=Path)
    make.add_argument("--qt-core", type=Path, required=True, help="libQt6Core, whose ICU calls are checked")
    test = commands.add_parser("check", help="compare Qt's ICU services with the full and a cut libicudata")
    test.add_argument("library", type=Path)
    args = parser.parse_args(argv)
    if args.command == "slim":
        before, after = slim(args.source, args.target, args.qt_core)
        print(f"ICU data {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
        return 0
    return check(args.library)


if __name__ == "__main__":
    sys.exit(main())
