"""Restricted AI labs and AI-chip / cloud companies: a list curated in this repository.

`lists/curated/ai_labs.json` holds the facts of the project reference on restricted labs
(restricted-labs.md), each with its sources and whether any of them was checked; the loader in
`lists.curated` refuses a file that breaks that rule. It is an ordinary source: versioned,
diffed and refreshed like the government lists, from the packaged file or from a mirror.

How related companies are recorded (the reference says to treat foreign operating entities as
the same organisation, and to store each listing against the exact entity listed):
- an operator the reference presents as the organisation itself, or names with no facts of its
  own, is an alias of kind "operator" on the group's entry: Moonshot AI PTE. LTD. is Moonshot's
  own name; THL A29 Limited (Tencent), Nanonoble Pte. Ltd. (MiniMax), Alibaba Cloud (Singapore)
  and Sophgo's Singapore company are aliases;
- an operator or subsidiary with facts of its own (a country, an address, domains, a listing) is
  an entry of its own with a "parent" relation, and the group's entry names it with an "operator"
  relation: JINGSHENG HENGXING TECHNOLOGY PTE.LTD (Zhipu / Z.ai), BytePlus Pte. Ltd. (ByteDance),
  the Huawei and SMIC companies the lists name. A parent tie the sources do not show is kept,
  unverified, so that ownership rules can see it without denying on it;
- a group whose companies are listed separately (SenseTime, Megvii, Yitu, Hygon) has one entry
  per listed company, never one group-wide flag.
"""

from __future__ import annotations

from collections.abc import Mapping

from lists.curated import packaged_url
from lists.curated.loader import load
from lists.curated.mapping import to_list_entry
from screening.errors import ListParseError
from screening.listings.source import ListSource, ParseResult, SourceFile

SOURCE_ID = "curated_ai_labs"
LIST_CODE = "AI_LABS"
FILE_NAME = "ai_labs.json"
URL = packaged_url(FILE_NAME)


def parse(files: Mapping[str, bytes]) -> ParseResult:
    if FILE_NAME not in files:
        raise ListParseError(f"{FILE_NAME} is missing", source=SOURCE_ID)
    document = load(files[FILE_NAME], source=SOURCE_ID, list_code=LIST_CODE)
    return ParseResult([to_list_entry(e, document, source=SOURCE_ID) for e in document.entries])


SOURCE = ListSource(
    id=SOURCE_ID,
    title="Restricted AI labs and AI-chip / cloud companies (curated)",
    publisher="this project, curated from public sources",
    files=(SourceFile(URL, packaged=True),),
    parse=parse,
    # About 70 entries: a file that lost most of them, or grew tenfold, is a broken edit.
    min_records=40,
    max_records=500,
    # The file changes when someone edits it, not on a publisher's schedule.
    refresh_interval_minutes=24 * 60,
)
