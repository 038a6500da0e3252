"""Names as people write and search them: the middle dot, pinyin and Latin-script keys.

Names of Uyghur, Kazakh and other minorities, and Chinese transcriptions of foreign
names, join their parts with a middle dot (迪丽热巴·迪力木拉提), typed as any of several
look-alike characters or left out. The register stores one dot (U+00B7, as on ID
cards); search finds a name with or without it (ResidentQuerySet.search).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pypinyin import Style
from pypinyin.converter import UltimateConverter
from pypinyin.seg.simpleseg import seg

DOT = "·"
# The middle dot and what input methods and fonts put in its place: bullet, hyphenation
# point, bullet and dot operators, katakana middle dots (full- and half-width), the
# full-width and small full stops, the Greek ano teleia.
DOT_VARIANTS = "·•‧∙⋅・･．﹒·"
_DOTS = re.compile(rf"\s*[{DOT_VARIANTS}]\s*")
_ANY_DOT = re.compile(rf"[{DOT_VARIANTS}]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U000323af]")
_LETTERS = re.compile(r"[^\W\d_]+")


def canonical(name: str) -> str:
    """`name` with every middle-dot look-alike as "·", no spaces around it."""
    return _DOTS.sub(DOT, name) if _ANY_DOT.search(name) else name


def without_dots(text: str) -> str:
    return _ANY_DOT.sub("", text)


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


# Characters read differently as a surname than in words: people search 曾国藩 by "zgf",
# not by pypinyin's everyday reading "cgf".
SURNAME_READINGS = {
    "曾": "zeng",
    "翟": "zhai",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "缪": "miao",
    "覃": "qin",
    "种": "chong",
    "阚": "kan",
    "薄": "bo",
    "召": "shao",
    "员": "yun",
    "折": "she",
    "都": "du",
}


@functools.lru_cache(maxsize=32768)
def pinyin_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a name, lower case without tones: 范芝奇 → (fanzhiqi, fzq).

    The first character is read as a surname: 曾国藩 → (zengguofan, zgf). Words in
    another script are kept, in lower case without accents, each word a "syllable":
    Maria Schmidt → (mariaschmidt, ms), Müller → (muller, m). Remembered: names repeat,
    and an import of a roster asks for every one.
    """
    syllables = [syllable for word in seg(name) for syllable in _word_pinyin(word)]
    if name[:1] in SURNAME_READINGS and syllables:
        syllables[0] = SURNAME_READINGS[name[0]]
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full, initials


# lazy_pinyin(name, style=Style.NORMAL, errors="ignore") is its converter applied to each
# word of seg(name) in turn, a word's reading not depending on its neighbours: words
# (mostly single characters) are converted once.
_CONVERTER = UltimateConverter()


@functools.lru_cache(maxsize=65536)
def _word_pinyin(word: str) -> tuple[str, ...]:
    syllables = tuple(
        s for readings in _CONVERTER.convert(word, Style.NORMAL, False, "ignore", True) for s in readings
    )
    if syllables:
        return syllables
    # Another script (seg() keeps its run of characters together), which pypinyin drops;
    # a rare ideograph without a reading stays out.
    return tuple(_LETTERS.findall(_unaccented(_CJK.sub(" ", word)).lower()))


def _unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
