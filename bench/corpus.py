"""Synthetic agencies for tests and benchmarks: deterministic, clearly marked as generated samples.

`synthetic_agency_yaml(agency_id, entries)` gives one agency with `entries` catalog rows spread over
every Art. 17 clause, with Vietnamese titles (đ/Đ included) and document numbers, so the same
text exercises rendering, export, search and page weight at realistic size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

CLAUSES = ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "other"]
KINDS = [("QĐ", "Quyết định"), ("KH", "Kế hoạch"), ("CV", "Công văn"), ("TB", "Thông báo"), ("BC", "Báo cáo")]
SUBJECTS = [
    "đăng ký kết hôn", "cấp đổi giấy phép lái xe", "đất đai và bồi thường giải phóng mặt bằng",
    "dự toán ngân sách nhà nước", "đường giao thông nông thôn", "tuyển dụng viên chức",
    "đầu tư công trung hạn", "thủ tục hành chính lĩnh vực tư pháp", "phòng, chống tham nhũng",
    "chăm sóc sức khỏe ban đầu", "bảo vệ môi trường làng nghề", "điều chỉnh quy hoạch sử dụng đất",
]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def synthetic_agency_yaml(agency_id: str, entries: int, *, name: str | None = None,
                          parent: str | None = None, kind: str = "department", seed: int = 0,
                          details: Sequence[str] = (), issuer: str | None = None, summary_every: int = 0) -> str:
    """`details`: more agency-level YAML lines (after `email`); `issuer` on every entry and a `summary` on every
    `summary_every`-th entry when given (bench/scalecorpus.py); the defaults give the plain rows above."""
    name = name or f"Cơ quan mẫu {agency_id} (dữ liệu sinh tự động)"
    lines = [
        "# Dữ liệu mẫu sinh tự động (bench/corpus.py): không phải cơ quan thật.",
        f"id: {agency_id}",
        f"name: {_quote(name)}",
        f"kind: {kind}",
        "sample: true",
        *([f"parent: {parent}"] if parent else []),
        "address: Số 1 đường Mẫu, phường Mẫu",
        f"email: {agency_id}@example.gov.vn",
        *details,
        "contact_point:",
        "  unit: Văn phòng",
        f"  request_email: yeucau-{agency_id}@example.gov.vn",
        "catalog:" if entries else "catalog: []",
    ]
    return "\n".join(lines + catalog_yaml_lines(entries, seed, issuer=issuer, summary_every=summary_every)) + "\n"


def catalog_yaml_lines(entries: int, seed: int = 0, *, issuer: str | None = None, summary_every: int = 0) -> list[str]:
    """The `catalog:` rows of `synthetic_agency_yaml`, indented under `catalog:`."""
    lines = []
    start = dt.date(2019, 1, 1)
    for i in range(entries):
        n = i + seed
        short, long = KINDS[n % len(KINDS)]
        subject = SUBJECTS[n % len(SUBJECTS)]
        created = start + dt.timedelta(days=(n * 7) % 2500)
        disclosed = created + dt.timedelta(days=n % 5)
        number = f"{100 + n}/{short}-UBND"
        lines += [
            f"  - id: muc-{i + 1:05d}",
            f"    title: {_quote(f'{long} về {subject} số {i + 1}')}",
            f"    number: {_quote(number)}",
            f"    created: {created.isoformat()}",
            f"    clause: {_quote(CLAUSES[n % len(CLAUSES)])}",
            "    forms: [portal]",
            f"    disclosed: {disclosed.isoformat()}",
        ]
        if issuer:
            lines.append(f"    issuer: {_quote(issuer)}")
        if summary_every and i % summary_every == 0:
            lines.append(f"    summary: {_quote(f'{long} số {number} về {subject}, áp dụng trên địa bàn quản lý')}")
    return lines


def write_synthetic_agency(folder: Path, agency_id: str, entries: int, **options) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{agency_id}.yaml"
    path.write_text(synthetic_agency_yaml(agency_id, entries, **options), encoding="utf-8")
    return path
