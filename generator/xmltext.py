"""Text for XML outputs (the Atom feed, the sitemap index, .docx): only the characters XML 1.0 allows.

The loader refuses control characters in agency files, but a writer must not depend on that: one
stray U+000B makes the whole feed unreadable for every feed reader, and python-docx refuses it
outright. Characters XML cannot carry are dropped at the point of output.
"""

from __future__ import annotations

import re

# XML 1.0 §2.2 Char, negated: C0 controls but tab, LF, CR; surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def legal(text: str) -> str:
    """`text` without the characters XML 1.0 cannot represent, even as character references."""
    return _NOT_XML.sub("", text)
