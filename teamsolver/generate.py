"""Synthetic, feasible instances at the scales of real inspection offices (``teamsolver generate``).

Every instance is *feasible by construction*: the generator first plants a roster that respects
every hard rule of SPEC §3 under the instance's own rules (with the exact semantics of
``docs/measures.md``), then derives the groups' size bounds, deputy quotas, specialty
requirements and unit draw caps from that roster. :func:`generate_plan` returns the planted roster
too, so tests and benchmarks know a valid answer exists.

The presets (:data:`PRESETS`) follow the scales reported in ``shared/seeds``:

- ``tiny``: 20 members of a small city office, 2 groups in 1 round (a first look, a unit test).
- ``university``: a university pool of 60 (10 can lead, 25 can lead or be deputy) drawn from its
  offices and colleges; 29 second-level party organisations inspected once each over 10 rounds
  of about 3 groups.
- ``city``: a city pool of 521 from municipal bureaus, districts (with their bureaus and streets)
  and state-owned enterprises; 15 groups with 173 seats in one round.
- ``province``: a provincial system of 7,000 staff (903 can lead) in provincial departments and
  14 cities with their departments and counties, in 4 regions; about 100 groups in one round,
  inspecting across regions only (``recusal.own_zone``).
- ``year``: a county's year plan: a pool of 300, 4 rounds of 8 groups, at most 2 rounds each.

:func:`generate_golfer` writes the social golfer problem as a plan instead: interchangeable
members, every one in a group of exactly the same size every round, and no two together twice.

Output is a pure function of (preset, seed, knobs): all randomness comes from
:class:`random.Random` instances seeded from ``seed``, and nothing iterates over a set.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .data.errors import TeamsolverError
from .data.instance import (
    Affinity,
    Conflict,
    Group,
    HistoryEntry,
    Instance,
    Member,
    Pin,
    Role,
    Status,
    Unit,
)
from .data.roster import Roster, Seat
from .data.settings import GOAL_IDS, RELAXABLE_RULES, Rules, parse_rules

__all__ = [
    "PRESETS",
    "SPECIALTIES",
    "SPECIALTY_WEIGHTS",
    "GenerateError",
    "Preset",
    "generate",
    "generate_golfer",
    "generate_plan",
]


class GenerateError(TeamsolverError, ValueError):
    """The preset or the knobs cannot give a feasible instance (e.g. too few members)."""


#: Specialties and their shares (in %) as the *primary* specialty of a member.
SPECIALTIES: tuple[str, ...] = (
    "finance",
    "audit",
    "law",
    "party-building",
    "data-analysis",
    "discipline",
    "organisation",
    "publicity",
)
SPECIALTY_WEIGHTS: tuple[int, ...] = (20, 15, 12, 20, 8, 11, 9, 5)
#: Chance that a member has a second specialty.
SECOND_SPECIALTY = 0.25
#: Chance that a member of a unit with a typical specialty (a finance bureau …) has it.
UNIT_SPECIALTY = 0.5
#: rounds_served 0..8 of ordinary members: 0 (38%), 1 (16%), 2..8 (46%, fewer as it grows);
#: with leaders and deputies (never new) the pool has about 30% at 0 and 15% at 1.
SERVED_WEIGHTS: tuple[int, ...] = (38, 16, 13, 10, 8, 6, 4, 3, 2)
#: rounds_served 1..8 of deputies.
DEPUTY_SERVED_WEIGHTS: tuple[int, ...] = (15, 20, 18, 15, 12, 9, 6, 5)
#: rounds_served (2..8) of leaders, who are senior.
LEADER_SERVED_WEIGHTS: tuple[int, ...] = (10, 15, 20, 20, 15, 10, 10)
#: Share of leaders (can_lead) who are newly promoted.
NEWLY_PROMOTED = 0.10
PARTY_SHARE = 0.885  # of ordinary members; leaders and deputies all are: ~90% overall
SUSPENDED_SHARE = 0.015
REMOVED_SHARE = 0.005
CONFLICT_UNIT_SHARE = 0.02
CONFLICT_ROW_EVERY = 50  # one conflicts row per this many members


@dataclass(frozen=True)
class Preset:
    """The shape of one preset: scale, group sizes, shares of roles, and rules."""

    name: str
    description: str
    kind: str  # unit blueprint: tiny, university, city, province, county
    members: int
    groups: int  # groups per round
    rounds: int
    total_groups: int | None = None  # fewer groups in the last round(s) (university: 29)
    size: tuple[int, int] = (5, 6)  # planted group size, inclusive
    seats: int | None = None  # planted seats per round (city: 173), else drawn from ``size``
    size_slack: tuple[int, int] = (1, 1)  # size_min = planted - a, size_max = planted + b
    targets_per_group: tuple[int, int] = (1, 2)
    leaders: int | None = None  # can_lead members at the preset scale, else lead_share
    lead_share: float = 0.09
    deputy_share: float = 0.20  # can_deputy (leaders included)
    full_time_share: float = 0.20
    new_share: float = 0.3  # chance a free seat goes to a new member when a mentor is free
    round_cap: int | None = None  # unit-draw-cap.max_per_round
    max_rounds: int | None = None  # rotation.max_rounds
    own_zone: bool = False
    cooldown: int = 0  # recusal.reinspect_cooldown
    mix: tuple[str, ...] = ("gender",)
    pins: int = 0  # require pins (forbid pins: half as many)
    affinity: int = 0  # affinity rows
    unavailable_share: float = 0.0  # members with unavailable rounds (multi-round plans)
    capped_members: float = 0.0  # share of members given their own max_rounds


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            name="tiny",
            description="20 members of a small city office; 2 groups of 5–6 in 1 round",
            kind="tiny",
            members=20,
            groups=2,
            rounds=1,
            size=(5, 6),
            targets_per_group=(1, 2),
            leaders=3,
            deputy_share=0.40,
            full_time_share=0.25,
            cooldown=1,
        ),
        Preset(
            name="university",
            description="a university pool of 60 (10 leaders, 25 leader-eligible); 29 "
            "party organisations inspected once each over 10 rounds of about 3 groups",
            kind="university",
            members=60,
            groups=3,
            rounds=10,
            total_groups=29,
            size=(4, 6),
            targets_per_group=(1, 1),
            leaders=10,
            lead_share=10 / 60,
            deputy_share=25 / 60,
            full_time_share=0.15,
            new_share=0.25,
            cooldown=1,
            pins=3,
            affinity=20,
            unavailable_share=0.10,
            capped_members=0.05,
        ),
        Preset(
            name="city",
            description="a city pool of 521 from bureaus, districts and state-owned "
            "enterprises; 15 groups with 173 seats in 1 round",
            kind="city",
            members=521,
            groups=15,
            rounds=1,
            size=(11, 12),
            seats=173,
            size_slack=(0, 0),
            targets_per_group=(1, 3),
            lead_share=0.09,
            deputy_share=0.20,
            round_cap=3,
            cooldown=2,
            mix=("gender", "birth_decade"),
            pins=6,
            affinity=40,
        ),
        Preset(
            name="province",
            description="a provincial system of 7,000 staff (903 can lead) in departments "
            "and 14 cities in 4 regions; 100 groups in 1 round, inspecting across regions",
            kind="province",
            members=7000,
            groups=100,
            rounds=1,
            size=(8, 12),
            size_slack=(1, 2),
            targets_per_group=(1, 3),
            leaders=903,
            lead_share=903 / 7000,
            deputy_share=0.22,
            full_time_share=0.18,
            round_cap=4,
            own_zone=True,
            cooldown=2,
            mix=("gender", "zone"),
            pins=20,
            affinity=300,
        ),
        Preset(
            name="year",
            description="a county's year plan: 300 members, 4 rounds of 8 groups, "
            "at most 2 rounds per member",
            kind="county",
            members=300,
            groups=8,
            rounds=4,
            size=(6, 9),
            targets_per_group=(1, 2),
            lead_share=0.09,
            deputy_share=0.20,
            round_cap=3,
            max_rounds=2,
            cooldown=2,
            pins=6,
            affinity=60,
            unavailable_share=0.08,
            capped_members=0.03,
        ),
    )
}


# --------------------------------------------------------------------------------------------
# Units: one blueprint per kind of office. Tables are whitespace-separated; "-" is empty.


@dataclass
class _U:
    """A unit as a blueprint builds it."""

    id: str
    name: str
    parent: str | None = None
    zone: str | None = None
    weight: float = 1.0  # relative number of members whose home unit it is
    target: bool = True  # may be inspected
    cluster: str = ""  # targets of one cluster are inspected by the same group
    hint: str | None = None  # the specialty its staff typically have


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _table(text: str) -> list[tuple[str | None, ...]]:
    """Rows of a whitespace table; ``-`` stands for an empty cell."""
    return [
        tuple(None if cell == "-" else cell for cell in line.split())
        for line in text.strip().splitlines()
    ]


def _word(words: Sequence[str], i: int) -> str:
    """The i-th name of a list, or a numbered one past its end."""
    return words[i] if i < len(words) else f"{words[i % len(words)]}{i // len(words) + 1}"


def _s(cell: str | None) -> str:
    assert cell is not None
    return cell


# id, name, parent, zone, weight, may be inspected (y/n), cluster, specialty
_TINY = _table("""
DIS    市纪委监委   -    east 1   n -      discipline
ORG    市委组织部   -    east 1   n -      organisation
FIN    市财政局     -    east 1   y econ   finance
AUD    市审计局     -    west 1   n -      audit
LAW    市司法局     -    west 1   y law    law
EDU    市教育局     -    west 1   y edu    -
EDU-S1 市第一中学   EDU  west 0.6 y edu    -
HEA    市卫健委     -    east 1   y health -
HEA-H1 市中心医院   HEA  east 0.6 y health -
TRA    市交通运输局 -    west 1   y econ   -
""")


def _units_tiny(rng: random.Random, scale: float) -> list[_U]:
    return [
        _U(_s(uid), _s(name), parent, zone, float(_s(weight)), target == "y", cluster or "", hint)
        for uid, name, parent, zone, weight, target, cluster, hint in _TINY
    ]


# name, specialty (offices of the university; their party committee is 机关党委)
_UNI_OFFICES = _table("""
党委办公室 party-building
党委组织部 organisation
党委宣传部 publicity
纪委办公室 discipline
人事处 organisation
教务处 -
科研处 data-analysis
财务处 finance
审计处 audit
国有资产管理处 finance
学生工作部 party-building
招生就业处 -
""")
# name, faculty (zone), specialty: the second-level party organisations inspected
_UNI_TARGETS = _table("""
文学院 人文社科学部 -
外国语学院 人文社科学部 -
历史文化学院 人文社科学部 -
马克思主义学院 人文社科学部 party-building
法学院 人文社科学部 law
商学院 人文社科学部 finance
教育科学学院 人文社科学部 -
新闻与传播学院 人文社科学部 publicity
心理学院 人文社科学部 -
学前教育学院 人文社科学部 -
数学科学学院 理工学部 data-analysis
物理与电子信息学院 理工学部 -
化学化工学院 理工学部 -
生命科学学院 理工学部 -
计算机科学学院 理工学部 data-analysis
信息技术学院 理工学部 data-analysis
国土与旅游学院 理工学部 -
食品与药品学院 理工学部 -
体育学院 艺体学部 -
音乐学院 艺体学部 -
美术学院 艺体学部 -
国际教育学院 直属单位 -
继续教育学院 直属单位 -
图书馆党总支 直属单位 -
后勤管理处党总支 直属单位 -
离退休工作处党总支 直属单位 -
附属中学党总支 直属单位 -
资产经营公司党支部 直属单位 finance
""")
# college number (1-based), department name
_UNI_DEPARTMENTS = _table("""
1 汉语言文学系
1 秘书学系
6 会计学系
6 金融学系
5 法律系
11 统计学系
15 软件工程系
""")


def _units_university(rng: random.Random, scale: float) -> list[_U]:
    out = [_U("SCH", "学校", weight=0.0, target=False)]
    out.append(_U("JG", "机关党委", parent="SCH", zone="机关", weight=0.5, cluster="JG"))
    for i, (name, hint) in enumerate(_UNI_OFFICES, 1):
        out.append(_U(f"JG-{i:02d}", _s(name), "JG", "机关", 2.0, False, hint=hint))
    for i, (name, zone, hint) in enumerate(_UNI_TARGETS, 1):
        out.append(_U(f"C{i:02d}", _s(name), "SCH", zone, 1.2, True, f"C{i:02d}", hint))
    count: Counter[str] = Counter()
    for number, name in _UNI_DEPARTMENTS:
        cid = f"C{int(_s(number)):02d}"
        college = out[[u.id for u in out].index(cid)]
        count[cid] += 1
        out.append(
            _U(f"{cid}-D{count[cid]}", _s(name), cid, college.zone, 0.8, False, hint=college.hint)
        )
    return out


# name, specialty, system (zone), may be inspected
_CITY_BUREAUS = _table("""
市纪委监委 discipline 党群 n
市委组织部 organisation 党群 n
市委宣传部 publicity 党群 y
市委政法委 law 政法 y
市委统战部 party-building 党群 y
市发改委 - 经济 y
市财政局 finance 经济 y
市审计局 audit 经济 n
市统计局 data-analysis 经济 y
市教育局 - 社会 y
市卫健委 - 社会 y
市民政局 - 社会 y
市人社局 organisation 社会 y
市司法局 law 政法 y
市公安局 law 政法 y
市住建局 - 经济 y
市交通运输局 - 经济 y
市自然资源局 - 经济 y
市生态环境局 - 经济 y
市农业农村局 - 经济 y
市商务局 - 经济 y
市文旅局 publicity 社会 y
市应急管理局 - 社会 y
市市场监管局 law 经济 y
市医保局 finance 社会 y
市水务局 - 经济 y
市城市管理局 - 社会 y
市信访局 - 政法 y
市工信局 - 经济 y
市科技局 data-analysis 经济 y
市数据局 data-analysis 经济 y
市国资委 finance 经济 y
""")
# bureau, sub-unit, weight, cluster
_CITY_SUBUNITS = _table("""
市教育局 市第一中学 2.0 schools
市教育局 市实验小学 1.5 schools
市卫健委 市中心医院 3.0 hospitals
市卫健委 市疾控中心 1.5 hospitals
""")
_CITY_SOES = _words("""
城市建设投资集团 港口集团 地铁集团 公交集团 水务集团 热电集团 建设投资集团 国有资本运营公司
文化旅游集团 粮食储备公司
""")
_DISTRICTS = _words(
    "东城区 西城区 南湖区 北山区 新港区 高新区 临江县 青山县 金沙区 白云区 长乐县 平安县"
)
_DISTRICT_DEPTS = _table("""
财政局 finance
教育局 -
卫健局 -
住建局 -
市场监管局 law
""")
_STREETS = _words("""
新华 人民 胜利 建设 和平 解放 友谊 光明 春柳 长江 黄河 中华 朝阳 东风 红旗 海港 青泥 金山 南山
北岭 兴工 香炉 白山 钟楼 桃源 杏林 松江 柳树 梧桐 石桥
""")
_QUARTERS = _words("东片 西片 南片 北片")


def _units_city(rng: random.Random, scale: float) -> list[_U]:
    out: list[_U] = []
    for i, (name, hint, zone, target) in enumerate(_CITY_BUREAUS, 1):
        bid = f"B{i:02d}"
        out.append(_U(bid, _s(name), None, zone, 5.0, target == "y", f"bureau-{zone}", hint))
        subs = [row for row in _CITY_SUBUNITS if row[0] == name]
        for j, (_, sub, weight, cluster) in enumerate(subs, 1):
            out.append(_U(f"{bid}-{j}", _s(sub), bid, zone, float(_s(weight)), True, _s(cluster)))
        if name == "市国资委":
            for j in range(max(4, round(len(_CITY_SOES) * min(scale, 3.0) ** 0.5))):
                hint = "finance" if j % 3 == 0 else None
                out.append(
                    _U(f"SOE{j + 1:02d}", "市" + _word(_CITY_SOES, j), bid, "国企", 4.0, True,
                       "soe", hint)
                )  # fmt: skip
    streets = list(_STREETS)
    rng.shuffle(streets)
    k = 0
    for d in range(max(3, round(8 * scale**0.5))):
        did = f"D{d + 1:02d}"
        dname = _word(_DISTRICTS, d)
        zone = _QUARTERS[d % len(_QUARTERS)]
        out.append(_U(did, dname, None, zone, 3.0, True, did))
        for j, (name, hint) in enumerate(_DISTRICT_DEPTS, 1):
            out.append(
                _U(f"{did}-{j:02d}", dname + _s(name), did, zone, 2.5, True, f"{did}-depts", hint)
            )
        for j in range(3 + d % 2):
            street = f"{dname}{_word(streets, k)}街道"
            out.append(_U(f"{did}-S{j + 1}", street, did, zone, 1.5, True, f"{did}-streets"))
            k += 1
    return out


# name, specialty, system (cluster), may be inspected
_PROVINCE_DEPTS = _table("""
省委办公厅 party-building 党群 y
省纪委监委 discipline 党群 n
省委组织部 organisation 党群 n
省委宣传部 publicity 党群 y
省委统战部 - 党群 y
省委政法委 law 政法 y
省政府办公厅 - 党群 y
省发展改革委 - 经济 y
省教育厅 - 社会 y
省科技厅 data-analysis 经济 y
省工业和信息化厅 - 经济 y
省公安厅 law 政法 y
省民政厅 - 社会 y
省司法厅 law 政法 y
省财政厅 finance 经济 y
省人力资源社会保障厅 organisation 社会 y
省自然资源厅 - 经济 y
省生态环境厅 - 经济 y
省住房城乡建设厅 - 经济 y
省交通运输厅 - 经济 y
省水利厅 - 经济 y
省农业农村厅 - 经济 y
省商务厅 - 经济 y
省文化和旅游厅 publicity 社会 y
省卫生健康委 - 社会 y
省应急管理厅 - 社会 y
省审计厅 audit 经济 n
省国资委 finance 经济 y
省市场监管局 law 经济 y
省统计局 data-analysis 经济 y
省医疗保障局 finance 社会 y
省林业局 - 经济 y
省粮食和物资储备局 - 经济 y
省体育局 - 社会 y
省信访局 - 政法 y
省大数据局 data-analysis 经济 y
省高级人民法院 law 政法 y
省人民检察院 law 政法 y
省总工会 - 党群 y
省妇联 - 党群 y
""")
_PROVINCE_SOES = _words("""
省能源集团 省交通投资集团 省建工集团 省高速公路集团 省农业发展银行 省旅游集团 省水利投资集团
省国有资本投资公司
""")
_CITIES = _words("""
江州 云州 青阳 临川 宁安 平原 华容 兴隆 泰和 长宁 清河 丰城 松江 梅岭 桐乡 枫林 石门 金城 玉山 白水
""")
_CITY_DEPTS = _table("""
财政局 finance
审计局 audit
教育局 -
卫健委 -
公安局 law
住建局 -
交通运输局 -
农业农村局 -
市场监管局 law
国资委 finance
""")
_COUNTY_WORDS = _words("安 宁 和 丰 平 永 兴 泰 庆 远 康 顺 德 昌 新 阳 乐 源 嘉 宜")
_COUNTY_SUBS = _table("""
财政局 finance
教育局 -
人民医院 -
""")
_REGIONS = _words("东部 西部 南部 北部")


def _units_province(rng: random.Random, scale: float) -> list[_U]:
    out: list[_U] = []
    for i, (name, hint, system, target) in enumerate(_PROVINCE_DEPTS, 1):
        out.append(
            _U(f"P{i:02d}", _s(name), None, None, 32.0, target == "y", f"dept-{system}", hint)
        )
    sasac = f"P{[row[0] for row in _PROVINCE_DEPTS].index('省国资委') + 1:02d}"
    for i, name in enumerate(_PROVINCE_SOES, 1):
        hint = "finance" if i % 2 else None
        out.append(_U(f"PS{i:02d}", name, sasac, None, 20.0, True, "soe", hint))
    words = list(_COUNTY_WORDS)
    for c in range(max(4, round(14 * scale**0.5))):
        cid = f"C{c + 1:02d}"
        cname = _word(_CITIES, c) + "市"
        zone = _REGIONS[c % len(_REGIONS)]
        out.append(_U(cid, cname, None, zone, 15.0, True, cid))
        for j, (name, hint) in enumerate(_CITY_DEPTS, 1):
            out.append(
                _U(f"{cid}-B{j:02d}", cname + _s(name), cid, zone, 12.0, True, f"{cid}-depts", hint)
            )
        rng.shuffle(words)
        for x in range(6):
            xid = f"{cid}-X{x + 1}"
            xname = f"{words[x]}{words[x + 6]}{'县' if x % 3 else '区'}"
            out.append(_U(xid, xname, cid, zone, 10.0, True, xid))
            for j, (name, hint) in enumerate(_COUNTY_SUBS, 1):
                out.append(_U(f"{xid}-{j}", xname + _s(name), xid, zone, 6.0, True, xid, hint))
    return out


# name, specialty, system (zone), may be inspected
_COUNTY_DEPTS = _table("""
县纪委监委 discipline 党群 n
县委组织部 organisation 党群 n
县委办公室 party-building 党群 y
县委宣传部 publicity 党群 y
县政府办公室 - 党群 y
县发展改革局 - 经济 y
县财政局 finance 经济 y
县审计局 audit 经济 n
县教育局 - 社会 y
县卫健局 - 社会 y
县民政局 - 社会 y
县人社局 organisation 社会 y
县自然资源局 - 经济 y
县住建局 - 经济 y
县交通运输局 - 经济 y
县农业农村局 - 经济 y
县水利局 - 经济 y
县市场监管局 law 经济 y
县司法局 law 政法 y
县公安局 law 政法 y
县文旅局 publicity 社会 y
县应急局 - 社会 y
县医保局 finance 社会 y
县统计局 data-analysis 经济 y
县城投公司 finance 经济 y
""")
_COUNTY_SUBUNITS = _table("""
县教育局 县第一中学 2.5 schools
县教育局 县实验小学 1.5 schools
县卫健局 县人民医院 3.0 hospitals
县卫健局 县中医院 2.0 hospitals
""")
_TOWNS = _words("城关 河口 柳林 石桥 马坊 白沙 龙泉 青松 桃园 杨庄 花园 黄土 新集 枣林 梨树 高庙")
_VILLAGES = _words("东 西 南 北 前 后 上 下")


def _units_county(rng: random.Random, scale: float) -> list[_U]:
    out: list[_U] = []
    for i, (name, hint, zone, target) in enumerate(_COUNTY_DEPTS, 1):
        kid = f"K{i:02d}"
        out.append(_U(kid, _s(name), None, zone, 4.0, target == "y", f"dept-{zone}", hint))
        subs = [row for row in _COUNTY_SUBUNITS if row[0] == name]
        for j, (_, sub, weight, cluster) in enumerate(subs, 1):
            out.append(_U(f"{kid}-{j}", _s(sub), kid, zone, float(_s(weight)), True, _s(cluster)))
    for t in range(max(4, round(12 * scale**0.5))):
        tid = f"T{t + 1:02d}"
        tname = _word(_TOWNS, t) + ("镇" if t % 4 else "乡")
        zone = _QUARTERS[t % len(_QUARTERS)] + "区"
        out.append(_U(tid, tname, None, zone, 3.0, True, tid))
        for v in range(3):
            village = f"{tname}{_word(_TOWNS, t)}{_VILLAGES[v]}村"
            out.append(_U(f"{tid}-V{v + 1}", village, tid, zone, 0.4, True, tid))
    return out


_BLUEPRINTS: dict[str, Callable[[random.Random, float], list[_U]]] = {
    "tiny": _units_tiny,
    "university": _units_university,
    "city": _units_city,
    "province": _units_province,
    "county": _units_county,
}


# --------------------------------------------------------------------------------------------
# Names

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红鹏飞建国文辉力波宁海林峰晨晓婷雪慧琳"
    "颖鑫宇浩凯志斌俊欣佳思梦雨博瑞嘉怡璐倩晶健新春东生庆荣云兰凤洁梅琴亮成龙松"
)
_SURNAME_CUM = tuple(
    sum(1.0 / (k + 6) for k in range(i + 1)) for i in range(len(_SURNAMES))
)  # common surnames first


def _name(rng: random.Random) -> str:
    surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]
    given = rng.choice(_GIVEN)
    if rng.random() < 0.6:
        given += rng.choice(_GIVEN)
    return surname + given


# --------------------------------------------------------------------------------------------
# The world: members as plain lists, indexed 0..n-1


@dataclass
class _World:
    preset: Preset
    rounds: list[str]
    units: list[_U]
    unit_by_id: dict[str, _U]
    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    unit: list[str] = field(default_factory=list)
    specs: list[list[str]] = field(default_factory=list)
    can_lead: list[bool] = field(default_factory=list)
    can_deputy: list[bool] = field(default_factory=list)
    served: list[int] = field(default_factory=list)
    full_time: list[bool] = field(default_factory=list)
    party: list[bool] = field(default_factory=list)
    status: list[Status] = field(default_factory=list)
    newly: list[bool] = field(default_factory=list)
    rating: list[int] = field(default_factory=list)
    gender: list[str] = field(default_factory=list)
    birth: list[int] = field(default_factory=list)
    unavailable: list[tuple[str, ...]] = field(default_factory=list)
    conflict_units: list[tuple[str, ...]] = field(default_factory=list)
    max_rounds: list[int | None] = field(default_factory=list)
    # unit -> smallest rounds_ago of a history row of the member
    past: list[dict[str, int]] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    past_pairs: set[tuple[int, int]] = field(default_factory=set)  # shared a past group

    @property
    def n(self) -> int:
        return len(self.ids)


@dataclass
class _Plan:
    """A group as planned: where it is, what it inspects, how big it will be."""

    id: str
    round: str
    ri: int
    targets: tuple[str, ...]
    size: int
    deputies: int
    wish: tuple[tuple[str, int], ...]
    recused: frozenset[str] = frozenset()  # home units that may not sit in it (hierarchy)
    zones: frozenset[str] = frozenset()  # zones of its targets


@dataclass
class _Rec:
    """A planted seat."""

    ri: int
    group: str
    member: int
    role: Role
    mentor: int = -1


def _both(a: Callable[[int], bool], b: Callable[[int], bool]) -> Callable[[int], bool]:
    def pred(i: int) -> bool:
        return a(i) and b(i)

    return pred


class _Fail(Exception):
    """The greedy planting got stuck; try again with fresh draws."""


def _weighted(rng: random.Random, items: Sequence[int], weights: Sequence[int]) -> int:
    return rng.choices(items, weights=weights)[0]


def _clip(x: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, round(x)))


def _ancestors(units: dict[str, _U], uid: str) -> list[str]:
    out: list[str] = []
    cur = units[uid].parent
    while cur is not None and cur not in out:
        out.append(cur)
        cur = units[cur].parent
    return out


def _recused_units(
    units: dict[str, _U], children: dict[str, list[str]], targets: Sequence[str], hierarchy: bool
) -> frozenset[str]:
    """Home units whose members may not inspect any of ``targets``."""
    out: set[str] = set(targets)
    if hierarchy:
        for t in targets:
            out.update(_ancestors(units, t))
            stack = list(children.get(t, ()))
            while stack:
                u = stack.pop()
                if u not in out:
                    out.add(u)
                    stack.extend(children.get(u, ()))
    return frozenset(out)


# --------------------------------------------------------------------------------------------
# Members


def _make_members(rng: random.Random, w: _World, n: int, need: dict[str, int]) -> None:
    p = w.preset
    source = [u for u in w.units if u.weight > 0]
    unit_ids = [u.id for u in source]
    homes = rng.choices(unit_ids, weights=[u.weight for u in source], k=n)
    leads = max(need["lead"], round((p.leaders or p.lead_share * p.members) * n / p.members))
    deputies = max(need["deputy"], round(p.deputy_share * n)) - leads
    deputies = max(deputies, need["deputy"] - leads, 0)
    if leads + deputies > n:
        raise GenerateError(f"{n} members are too few for {leads} leaders and their deputies")
    order = list(range(n))
    rng.shuffle(order)
    role = ["member"] * n
    for i in order[:leads]:
        role[i] = "leader"
    for i in order[leads : leads + deputies]:
        role[i] = "deputy"
    newly_count = round(NEWLY_PROMOTED * leads)
    newly = set(order[:newly_count])
    width = max(3, len(str(n)))
    spec_names = list(SPECIALTIES)
    multi = len(w.rounds) > 1
    for i in range(n):
        r = role[i]
        lead = r == "leader"
        w.ids.append(f"M{i + 1:0{width}d}")
        w.names.append(_name(rng))
        w.unit.append(homes[i])
        hint = w.unit_by_id[homes[i]].hint
        first = (
            hint
            if hint and rng.random() < UNIT_SPECIALTY
            else rng.choices(spec_names, weights=SPECIALTY_WEIGHTS)[0]
        )
        specs = [first]
        if rng.random() < SECOND_SPECIALTY:
            second = rng.choices(spec_names, weights=SPECIALTY_WEIGHTS)[0]
            if second != first:
                specs.append(second)
        specs.sort(key=spec_names.index)
        w.specs.append(specs)
        w.can_lead.append(lead)
        w.can_deputy.append(r != "member")
        w.newly.append(i in newly)
        if i in newly:
            served = rng.randint(1, 4)
        elif lead:
            served = _weighted(rng, range(2, 9), LEADER_SERVED_WEIGHTS)
        elif r == "deputy":
            served = _weighted(rng, range(1, 9), DEPUTY_SERVED_WEIGHTS)
        else:
            served = _weighted(rng, range(9), SERVED_WEIGHTS)
        w.served.append(served)
        ft = {"leader": 0.40, "deputy": 0.30}.get(r, p.full_time_share * 0.8)
        w.full_time.append(rng.random() < ft)
        w.party.append(r != "member" or rng.random() < PARTY_SHARE)
        x = rng.random()
        factor = 0.5 if r != "member" else 1.0
        if x < REMOVED_SHARE * factor:
            w.status.append("removed")
        elif x < (REMOVED_SHARE + SUSPENDED_SHARE) * factor:
            w.status.append("suspended")
        else:
            w.status.append("active")
        w.rating.append(_clip(rng.gauss(84 if lead else 79, 7), 60, 98))
        w.gender.append("M" if rng.random() < (0.72 if lead else 0.56) else "F")
        w.birth.append(_clip(rng.gauss(1973 if lead else 1984, 5 if lead else 8), 1965, 2000))
        unavailable: tuple[str, ...] = ()
        if multi and rng.random() < p.unavailable_share:
            k = 1 if rng.random() < 0.7 else 2
            unavailable = tuple(
                sorted(rng.sample(w.rounds, min(k, len(w.rounds))), key=w.rounds.index)
            )
        w.unavailable.append(unavailable)
        conflict: tuple[str, ...] = ()
        if rng.random() < CONFLICT_UNIT_SHARE:
            other = rng.choice(unit_ids)
            if other != homes[i]:
                conflict = (other,)
        w.conflict_units.append(conflict)
        w.max_rounds.append(None)
        w.past.append({})
    # Guarantees the greedy planting needs, whatever the draws: enough full-time members.
    ft_have = sum(1 for i in range(n) if w.full_time[i] and w.status[i] == "active")
    for i in order[leads + deputies :]:
        if ft_have >= need["full_time"]:
            break
        if not w.full_time[i] and w.status[i] == "active":
            w.full_time[i] = True
            ft_have += 1


def _history(
    rng: random.Random,
    w: _World,
    fresh: list[str],
    again: list[str],
    children: dict[str, list[str]],
    groups: int,
    size: int,
) -> None:
    """Past rounds 1..3 of the same office: one row per past seat and target it inspected.

    The groups of one past round inspect distinct units, preferably units this plan does not
    inspect (``fresh`` before ``again``). Each past group has a leader who can lead; nobody sat
    in a group that inspected their own unit (or one above or below it); nobody has more
    history rows than ``rounds_served``. Members who shared a past group are remembered in
    ``w.past_pairs``, so that the planted roster can avoid pairing them again.
    """
    rows: list[HistoryEntry] = []
    count = [0] * w.n
    veterans = [i for i in range(w.n) if w.served[i] > 0]
    for ago in (1, 2, 3):
        order = rng.sample(fresh, len(fresh)) + rng.sample(again, len(again))
        cursor = 0
        eligible = [i for i in veterans if count[i] < w.served[i]]
        rng.shuffle(eligible)
        leaders = _Pool([i for i in eligible if w.can_lead[i]])
        everyone = _Pool(eligible)
        taken: set[int] = set()
        for j in range(groups):
            k = rng.randint(1, 2)
            past = tuple(dict.fromkeys(order[(cursor + d) % len(order)] for d in range(k)))
            cursor += k
            recused = _recused_units(w.unit_by_id, children, past, True)
            seated: list[int] = []
            for pool, want in ((leaders, 1), (everyone, size)):
                items = pool.items
                while pool.head < len(items) and items[pool.head] in taken:
                    pool.head += 1
                for x in range(pool.head, len(items)):
                    if len(seated) >= want:
                        break
                    i = items[x]
                    if i not in taken and i not in seated and w.unit[i] not in recused:
                        seated.append(i)
                if not seated:
                    break  # no leader for this past group: leave it out
            if not seated:
                continue
            gid = f"H{ago}-G{j + 1:02d}"
            taken.update(seated)
            for pos, i in enumerate(seated):
                count[i] += 1
                role: Role = "leader" if pos == 0 else "member"
                if pos in (1, 2) and w.can_deputy[i]:
                    role = "deputy"
                for t in past:
                    rows.append(
                        HistoryEntry(member=w.ids[i], rounds_ago=ago, group=gid, unit=t, role=role)
                    )
                    prev = w.past[i].get(t)
                    if prev is None or ago < prev:
                        w.past[i][t] = ago
            for x, a in enumerate(seated):
                for b in seated[x + 1 :]:
                    w.past_pairs.add((min(a, b), max(a, b)))
    rows.sort(key=lambda h: (h.rounds_ago, h.group, h.member, h.unit))
    w.history = rows


# --------------------------------------------------------------------------------------------
# Planting


class _Pool:
    """Members in preference order; used ones are skipped (and dropped from the head)."""

    __slots__ = ("head", "items")

    def __init__(self, items: list[int]):
        self.items = items
        self.head = 0


class _Planter:
    def __init__(self, w: _World, plans: list[list[_Plan]], rules: Rules):
        self.w = w
        self.plans = plans
        self.rules = rules
        self.new_max = rules.experience.new_max
        self.exp_min = rules.experience.experienced_min
        self.k = rules.mentoring.max_new_per_experienced
        self.per_group = rules.unit_draw_cap.max_per_group
        self.ft_min = rules.full_time_anchor.min
        self.party_min = rules.party_branch.min
        self.cooldown = rules.recusal.reinspect_cooldown
        self.own_zone = rules.recusal.own_zone
        self.max_rounds = rules.rotation.max_rounds
        self.min_rest = rules.rotation.min_rest
        self.zone_of = {u.id: u.zone for u in w.units}
        self.avoid_pairs = rules.mode("no-repeat-pairing") != "off"
        self.pairs: set[tuple[int, int]] = set()
        self.used: set[int] = set()
        self.exp: dict[int, int] = {}
        self.inspected: list[dict[str, int]] = []
        self.ri = 0
        self.unit_round: Counter[str] = Counter()
        self.cap_round = rules.unit_draw_cap.max_per_round

    def plant(self, rng: random.Random) -> list[_Rec]:
        w = self.w
        n = w.n
        seats = [0] * n
        last = [-(10**6)] * n
        inspected: list[dict[str, int]] = [{} for _ in range(n)]
        self.pairs = set(w.past_pairs)
        out: list[_Rec] = []
        for ri, rid in enumerate(w.rounds):
            free = [
                i
                for i in range(n)
                if w.status[i] == "active"
                and rid not in w.unavailable[i]
                and (self.max_rounds is None or seats[i] < self.max_rounds)
                and ri - last[i] - 1 >= self.min_rest
            ]
            keys = {i: (seats[i], rng.random()) for i in free}
            free.sort(key=keys.__getitem__)
            self.used = set()
            self.exp = {i: w.served[i] + seats[i] for i in free}
            self.inspected = inspected
            self.ri = ri
            self.unit_round = Counter()
            self.pool_all = _Pool(free)
            self.pool_lead = _Pool([i for i in free if w.can_lead[i]])
            self.pool_dep = _Pool([i for i in free if w.can_deputy[i] and not w.can_lead[i]])
            self.pool_ft = _Pool([i for i in free if w.full_time[i]])
            self.pool_spec = {s: _Pool([i for i in free if s in w.specs[i]]) for s in SPECIALTIES}
            recs: list[_Rec] = []
            for plan in self.plans[ri]:
                recs.extend(self._fill(plan, rng))
            for rec in recs:
                seats[rec.member] += 1
                last[rec.member] = ri
            targets_of = {plan.id: plan.targets for plan in self.plans[ri]}
            for rec in recs:
                for t in targets_of[rec.group]:
                    inspected[rec.member][t] = ri
            out.extend(recs)
        return out

    # -- one group ---------------------------------------------------------------------------

    def _fill(self, g: _Plan, rng: random.Random) -> list[_Rec]:
        w = self.w
        seated: list[int] = []
        recs: list[_Rec] = []
        unit_group: Counter[str] = Counter()
        free_slots: list[int] = []  # experienced members, once per mentee they may take
        cover: Counter[str] = Counter()
        counts = {"party": 0, "ft": 0}
        exp = self.exp
        cd = self.cooldown
        ri = self.ri
        per_group = self.per_group if self.per_group is not None else 10**9
        cap_round = self.cap_round

        def ok(i: int) -> bool:
            u = w.unit[i]
            if u in g.recused or unit_group[u] >= per_group:
                return False
            if cap_round is not None and self.unit_round[u] >= cap_round:
                return False
            if self.own_zone and self.zone_of[u] is not None and self.zone_of[u] in g.zones:
                return False
            cu = w.conflict_units[i]
            if cu and any(t in cu for t in g.targets):
                return False
            if cd > 0:
                past = w.past[i]
                if past and any(past.get(t, 10**6) <= cd + ri for t in g.targets):
                    return False
                ins = self.inspected[i]
                if ins and any(ri - ins.get(t, -(10**6)) <= cd for t in g.targets):
                    return False
            return True

        def fits(i: int) -> bool:
            """Room is left for the party members and full-time members still needed."""
            left = g.size - len(seated) - 1
            party = max(0, self.party_min - counts["party"] - w.party[i])
            ft = max(0, self.ft_min - counts["ft"] - w.full_time[i])
            if party + ft > left:
                return False
            return exp[i] > self.new_max or bool(free_slots)

        def no_repeat(i: int) -> bool:
            return all((min(i, j), max(i, j)) not in self.pairs for j in seated)

        def pick(pool: _Pool, prefs: Sequence[Callable[[int], bool]]) -> int | None:
            items = pool.items
            while pool.head < len(items) and items[pool.head] in self.used:
                pool.head += 1
            passes: list[Callable[[int], bool]] = []
            for pref in prefs:
                if self.avoid_pairs:
                    passes.append(_both(pref, no_repeat))
                passes.append(pref)
            for pred in passes:
                for x in range(pool.head, len(items)):
                    i = items[x]
                    if i not in self.used and ok(i) and fits(i) and pred(i):
                        return i
            return None

        def seat(i: int, role: Role) -> None:
            self.used.add(i)
            seated.append(i)
            unit_group[w.unit[i]] += 1
            self.unit_round[w.unit[i]] += 1
            cover.update(w.specs[i])
            counts["party"] += w.party[i]
            counts["ft"] += w.full_time[i]
            mentor = -1
            if exp[i] <= self.new_max:
                mentor = free_slots.pop(0)
            elif exp[i] >= self.exp_min:
                free_slots.extend([i] * self.k)
            recs.append(_Rec(ri, g.id, i, role, mentor))

        def is_exp(i: int) -> bool:
            return exp[i] >= self.exp_min

        def not_new(i: int) -> bool:
            return exp[i] > self.new_max

        def is_new(i: int) -> bool:
            return exp[i] <= self.new_max

        def anyone(i: int) -> bool:
            return True

        def not_lead(i: int) -> bool:
            return not w.can_lead[i]

        def party_only(i: int) -> bool:
            return w.party[i]

        leader = pick(self.pool_lead, [is_exp, not_new])
        if leader is None:
            raise _Fail(f"no leader for {g.id}")
        seat(leader, "leader")
        for d in range(g.deputies):
            if d == 0 and w.newly[leader]:
                prefs: list[Callable[[int], bool]] = [is_exp]
            else:
                prefs = [is_exp, not_new]
            dep = pick(self.pool_dep, prefs)
            if dep is None:
                dep = pick(self.pool_lead, prefs)
            if dep is None:
                raise _Fail(f"no deputy for {g.id}")
            seat(dep, "deputy")
        while counts["ft"] < self.ft_min:
            ft = pick(self.pool_ft, [is_exp, not_new, anyone])
            if ft is None:
                raise _Fail(f"no full-time member for {g.id}")
            seat(ft, "member")
        for spec, want in g.wish:
            while cover[spec] < want and len(seated) < g.size:
                choice = pick(self.pool_spec[spec], [not_lead])
                if choice is None:
                    break
                seat(choice, "member")
        while len(seated) < g.size:
            left = g.size - len(seated)
            need_party = self.party_min - counts["party"] >= left
            base: Callable[[int], bool] = party_only if need_party else anyone
            wanted = is_new if free_slots and rng.random() < self.w.preset.new_share else not_new
            prefs = [_both(_both(wanted, base), not_lead), base]
            choice = pick(self.pool_all, prefs)
            if choice is None:
                raise _Fail(f"cannot fill {g.id}")
            seat(choice, "member")
        if counts["party"] < self.party_min or counts["ft"] < self.ft_min:
            raise _Fail(f"{g.id} lacks party or full-time members")
        for a in range(len(seated)):
            for b in range(a + 1, len(seated)):
                x, y = seated[a], seated[b]
                self.pairs.add((min(x, y), max(x, y)))
        return recs


# --------------------------------------------------------------------------------------------
# Groups as planned


def _sizes(rng: random.Random, groups: int, seats: int | None, lo: int, hi: int) -> list[int]:
    if seats is not None:
        base, extra = divmod(seats, groups)
        sizes = [base + (1 if j < extra else 0) for j in range(groups)]
        rng.shuffle(sizes)
        return sizes
    return [rng.randint(lo, hi) for _ in range(groups)]


def _wish(rng: random.Random, size: int) -> tuple[tuple[str, int], ...]:
    """Specialties a planner asks for: finance and audit, plus one to three others."""
    want: dict[str, int] = {"finance": 2 if size >= 9 else 1, "audit": 1}
    others = ["law", "party-building", "discipline", "data-analysis", "organisation", "publicity"]
    weights = [12, 20, 11, 8, 9, 5]
    extra = 1 if size < 7 else (2 if size < 11 else 3)
    while len(want) < 2 + extra:
        s = rng.choices(others, weights=weights)[0]
        want.setdefault(s, 1)
    return tuple(sorted(want.items(), key=lambda kv: SPECIALTIES.index(kv[0])))


# --------------------------------------------------------------------------------------------
# The entry points


def generate(
    preset: str,
    seed: int = 0,
    *,
    members: int | None = None,
    groups: int | None = None,
    rounds: int | None = None,
    tighten: float = 0.0,
) -> Instance:
    """A synthetic instance of ``preset`` (see :data:`PRESETS`), feasible by construction.

    ``members``, ``groups`` (per round) and ``rounds`` override the preset's scale. ``tighten``
    in [0, 1] removes slack: 0 is the preset's normal slack; 1 makes every requirement equal to
    what the planted roster achieves (specialty counts, deputies, group sizes, unit draw caps)
    and strips most spare specialists from the pool. Same arguments, same instance.
    """
    return generate_plan(
        preset, seed, members=members, groups=groups, rounds=rounds, tighten=tighten
    )[0]


def generate_plan(
    preset: str,
    seed: int = 0,
    *,
    members: int | None = None,
    groups: int | None = None,
    rounds: int | None = None,
    tighten: float = 0.0,
) -> tuple[Instance, Roster]:
    """Like :func:`generate`, and also the planted roster that satisfies every hard rule."""
    if preset not in PRESETS:
        raise GenerateError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    if not 0.0 <= tighten <= 1.0:
        raise GenerateError(f"tighten must be between 0 and 1, got {tighten}")
    p = PRESETS[preset]
    n = p.members if members is None else members
    per_round = p.groups if groups is None else groups
    n_rounds = p.rounds if rounds is None else rounds
    if n < 2 or per_round < 1 or n_rounds < 1:
        raise GenerateError("members must be at least 2, groups and rounds at least 1")
    total = (
        p.total_groups
        if p.total_groups is not None and groups is None and rounds is None
        else per_round * n_rounds
    )
    rng = random.Random(seed)
    round_ids = [f"R{r + 1}" for r in range(n_rounds)]

    # Scale of the groups: keep a round's seats within about 60% of the pool.
    seats_per_round = (
        round(p.seats * per_round / p.groups) if p.seats is not None else None
    )  # city: 173 for 15 groups
    lo, hi = p.size
    room = 0.6 * n * (1 - SUSPENDED_SHARE - REMOVED_SHARE) * (1 - p.unavailable_share)
    if p.max_rounds is not None and n_rounds > p.max_rounds:
        room *= p.max_rounds / n_rounds  # nobody serves more than max_rounds rounds
    if per_round * (lo + hi) / 2 > room:
        hi = math.floor(room / per_round)
        lo = min(lo, hi)
        if seats_per_round is not None:
            seats_per_round = min(seats_per_round, hi * per_round)
    if hi < 4:
        raise GenerateError(
            f"{n} members are too few for {per_round} groups per round "
            f"(each group needs at least 4 seats; try at least {8 * per_round + 8} members)"
        )
    max_rounds = p.max_rounds
    leader_rounds = n_rounds if max_rounds is None else min(n_rounds, max_rounds)
    need = {
        "lead": math.ceil(per_round * 1.4 * n_rounds / leader_rounds) + 1,
        "deputy": 0,
        "full_time": math.ceil(per_round * 1.6 * n_rounds / leader_rounds) + 2,
    }
    need["deputy"] = need["lead"] + math.ceil(per_round * 2.2 * n_rounds / leader_rounds) + 2

    counts = [total // n_rounds + (1 if r < total % n_rounds else 0) for r in range(n_rounds)]
    if p.total_groups is not None and total < per_round * n_rounds:
        counts = [max(0, min(per_round, total - per_round * r)) for r in range(n_rounds)]
    shape = _Shape(p, n, round_ids, counts, seats_per_round, lo, hi, need)

    # Greedy planting can get stuck (a group whose targets recuse every available leader);
    # then the whole attempt is drawn again. Draws continue from the same generator, so the
    # result is still a pure function of the arguments.
    for _attempt in range(30):
        try:
            w, plans, recs, rules_data = _attempt_plan(rng, shape)
        except _Fail:
            continue
        return _derive(w, plans, recs, rules_data, tighten, seed)
    raise GenerateError(
        f"could not plant a valid roster for preset {preset!r} with {n} members, "
        f"{per_round} groups per round and {n_rounds} rounds; add members or remove groups"
    )


@dataclass(frozen=True)
class _Shape:
    """The scale of one generation, after the knobs."""

    preset: Preset
    members: int
    rounds: list[str]
    counts: list[int]  # groups per round
    seats: int | None  # seats per round, when fixed
    lo: int  # group sizes otherwise
    hi: int
    need: dict[str, int]  # least numbers of leaders, deputies, full-time members


def _attempt_plan(
    rng: random.Random, shape: _Shape
) -> tuple[_World, list[list[_Plan]], list[_Rec], dict[str, dict[str, Any]]]:
    """Units, rules, groups, members, history, and a planted roster (or :class:`_Fail`)."""
    p = shape.preset
    n = shape.members
    units = _BLUEPRINTS[p.kind](rng, n / p.members)
    unit_by_id = {u.id: u for u in units}

    rules_data: dict[str, dict[str, Any]] = {}
    if p.cooldown or p.own_zone:
        rules_data["recusal"] = {}
        if p.own_zone:
            rules_data["recusal"]["own_zone"] = True
        if p.cooldown:
            rules_data["recusal"]["reinspect_cooldown"] = p.cooldown
    if p.round_cap is not None:
        # A bigger plan on the same offices needs more people from each: keep the cap above
        # what the largest unit would give if seats were drawn in proportion to staff.
        seats = shape.seats or max(shape.counts) * (shape.lo + shape.hi) / 2
        share = max(u.weight for u in units) / sum(u.weight for u in units)
        cap = max(p.round_cap, math.ceil(1.2 * seats * share))
        rules_data["unit-draw-cap"] = {"max_per_round": cap}
    if p.max_rounds is not None and len(shape.rounds) > 1:
        rules_data["rotation"] = {"max_rounds": p.max_rounds}
    rules = _rules(rules_data)
    children: dict[str, list[str]] = {}
    for u in units:
        if u.parent is not None:
            children.setdefault(u.parent, []).append(u.id)
    hierarchy = rules.recusal.hierarchy

    # Clusters of targets, each inspected together by one group.
    cluster_map: dict[str, list[str]] = {}
    for u in units:
        if u.target:
            cluster_map.setdefault(u.cluster or u.id, []).append(u.id)
    clusters = list(cluster_map.values())
    if not clusters:  # pragma: no cover - every blueprint has targets
        raise GenerateError(f"preset {p.name!r} has no unit to inspect")

    # Plan the groups: round, targets, size, deputies, wished specialties.
    plans: list[list[_Plan]] = []
    queue: list[str] = []
    for ri, rid in enumerate(shape.rounds):
        sizes = _sizes(rng, shape.counts[ri], shape.seats, shape.lo, shape.hi)
        row: list[_Plan] = []
        for j in range(shape.counts[ri]):
            k = rng.randint(*p.targets_per_group)
            targets: list[str] = []
            while len(targets) < k:
                if not queue:
                    if targets:
                        break
                    order = [list(c) for c in clusters]
                    rng.shuffle(order)
                    for c in order:
                        rng.shuffle(c)
                    queue = [t for c in order for t in [*c, ""]]
                    queue.reverse()  # popped from the end
                t = queue.pop()
                if t == "":  # end of a cluster: a group does not mix clusters
                    if targets:
                        break
                    continue
                targets.append(t)
            gid = f"G{j + 1:02d}" if len(shape.rounds) == 1 else f"{rid}-G{j + 1}"
            size = sizes[j]
            deputies = 2 if size >= 8 and rng.random() < 0.6 else 1
            plan = _Plan(gid, rid, ri, tuple(targets), size, deputies, _wish(rng, size))
            plan.recused = _recused_units(unit_by_id, children, plan.targets, hierarchy)
            plan.zones = frozenset(z for t in plan.targets if (z := unit_by_id[t].zone))
            row.append(plan)
        plans.append(row)

    w = _World(preset=p, rounds=shape.rounds, units=units, unit_by_id=unit_by_id)
    _make_members(rng, w, n, shape.need)
    planned = {t for row in plans for g in row for t in g.targets}
    fresh = [t for c in clusters for t in c if t not in planned]
    again = [t for c in clusters for t in c if t in planned]
    per_round = max(shape.counts)
    mean = shape.seats / per_round if shape.seats else (shape.lo + shape.hi) / 2
    _history(rng, w, fresh, again, children, per_round, max(3, round(mean)))
    recs = _Planter(w, plans, rules).plant(rng)
    return w, plans, recs, rules_data


def _rules(data: dict[str, dict[str, Any]]) -> Rules:
    rules, problems = parse_rules(data, "generate")
    if problems:  # pragma: no cover - the generator writes only valid keys
        raise GenerateError("; ".join(str(p) for p in problems))
    return rules


def _derive(
    w: _World,
    plans: list[list[_Plan]],
    recs: list[_Rec],
    rules_data: dict[str, dict[str, Any]],
    tighten: float,
    seed: int,
) -> tuple[Instance, Roster]:
    """Requirements, caps, pins, affinity and conflicts from the planted roster."""
    p = w.preset
    t = tighten
    tr = random.Random(f"tighten:{p.name}:{seed}")  # the same draws whatever ``tighten`` is
    xr = random.Random(f"extras:{p.name}:{seed}")
    by_group: dict[str, list[_Rec]] = {}
    for rec in recs:
        by_group.setdefault(rec.group, []).append(rec)
    all_plans = [g for row in plans for g in row]

    # Groups
    groups: list[Group] = []
    required: set[str] = set()
    per_group_max = 0
    for g in all_plans:
        seats = by_group.get(g.id, [])
        n = len(seats)
        cover: Counter[str] = Counter()
        for rec in seats:
            cover.update(w.specs[rec.member])
        per_group_max = max([per_group_max, *Counter(w.unit[r.member] for r in seats).values()])
        wish = dict(g.wish)
        requires: list[tuple[str, int]] = []
        for s in SPECIALTIES:
            u_in, u_exact = tr.random(), tr.random()
            c = cover[s]
            if c == 0 or (s not in wish and u_in >= t):
                continue
            need = c if u_exact < t or s not in wish else min(c, wish[s])
            requires.append((s, need))
            required.add(s)
        lo_slack = round((1 - t) * p.size_slack[0] * (0.5 + tr.random()))
        hi_slack = round((1 - t) * p.size_slack[1] * (0.5 + tr.random()))
        d = sum(1 for r in seats if r.role == "deputy")
        exact_dep = tr.random() < t
        groups.append(
            Group(
                id=g.id,
                targets=g.targets,
                round=g.round,
                size_min=max(0, n - lo_slack),
                size_max=n + hi_slack,
                leaders=1,
                deputies_min=d if exact_dep else min(1, d),
                deputies_max=d if exact_dep else max(2, d),
                requires=tuple(requires),
            )
        )

    # Unit draw caps: a few units state how many they can spare; tight: all that were drawn.
    drawn: dict[str, int] = {}
    per_round: Counter[tuple[int, str]] = Counter((r.ri, w.unit[r.member]) for r in recs)
    for (_ri, uid), c in sorted(per_round.items()):
        drawn[uid] = max(drawn.get(uid, 0), c)
    round_cap: int | None = rules_data.get("unit-draw-cap", {}).get("max_per_round")
    max_drawn: dict[str, int] = {}
    for u in w.units:
        a, b = tr.random(), tr.random()
        if u.id in drawn and a < 0.1 + 0.9 * t:
            spare = 0 if b < t else 1
            if round_cap is not None:
                spare = min(spare, round_cap - drawn[u.id])
            max_drawn[u.id] = drawn[u.id] + spare
    top = max(drawn.values(), default=0)
    rules_data = {k: dict(v) for k, v in rules_data.items()}
    if t > 0 and top:
        base = round_cap if round_cap is not None else top + 3
        rules_data.setdefault("unit-draw-cap", {})["max_per_round"] = top + round(
            (1 - t) * (base - top)
        )
    if t >= 1 and per_group_max < 2:
        rules_data.setdefault("unit-draw-cap", {})["max_per_group"] = per_group_max

    # Rotation: caps per member in multi-round plans.
    seats_of = Counter(r.member for r in recs)
    if len(w.rounds) > 1:
        most = max(seats_of.values(), default=0)
        if t > 0:
            base = p.max_rounds if p.max_rounds is not None else most + 2
            cap = most + round((1 - t) * (base - most))
            rules_data.setdefault("rotation", {})["max_rounds"] = max(most, min(base, cap))
        order = sorted(seats_of)
        for i in order:
            if xr.random() < p.capped_members and seats_of[i] >= 1:
                w.max_rounds[i] = seats_of[i] + (0 if xr.random() < t else 1)

    # Scarce specialists: members with no seat lose most of the specialties groups require.
    for i in range(w.n):
        draws = [tr.random() for _ in w.specs[i]]
        if seats_of.get(i) or t <= 0:
            continue
        keep = [
            s for s, u in zip(w.specs[i], draws, strict=True) if s not in required or u >= 0.85 * t
        ]
        w.specs[i] = keep

    rules = _rules(_with_objective(rules_data, p))

    # Pins that agree with the planted roster; affinity; member conflicts.
    pins: list[Pin] = []
    pinned: set[tuple[int, str]] = set()
    active_recs = list(recs)
    if p.pins and active_recs:
        for rec in xr.sample(active_recs, min(p.pins, len(active_recs))):
            role = rec.role if rec.role != "member" or xr.random() < 0.3 else None
            pins.append(Pin(member=w.ids[rec.member], group=rec.group, kind="require", role=role))
            pinned.add((rec.member, rec.group))
        group_ids = [g.id for g in all_plans]
        seated_in = {(r.member, r.group) for r in recs}
        tries = 0
        forbids = 0
        while forbids < (p.pins + 1) // 2 and tries < 50 * p.pins:
            tries += 1
            i = xr.randrange(w.n)
            gid = xr.choice(group_ids)
            if (i, gid) in seated_in or (i, gid) in pinned:
                continue
            pins.append(Pin(member=w.ids[i], group=gid, kind="forbid"))
            pinned.add((i, gid))
            forbids += 1
    affinity: list[Affinity] = []
    if p.affinity:
        seen: set[tuple[int, str]] = set()
        group_ids = [g.id for g in all_plans]
        tries = 0
        while len(affinity) < p.affinity and tries < 20 * p.affinity:
            tries += 1
            if xr.random() < 0.6 and recs:
                rec = xr.choice(recs)
                key, score = (rec.member, rec.group), xr.randint(1, 5)
            else:
                key, score = (xr.randrange(w.n), xr.choice(group_ids)), xr.randint(-3, 3)
            if key in seen or score == 0:
                continue
            seen.add(key)
            affinity.append(Affinity(member=w.ids[key[0]], group=key[1], score=score))
    conflicts = _conflicts(xr, w, recs)

    instance = Instance(
        members=tuple(_member(w, i) for i in range(w.n)),
        units=tuple(
            Unit(id=u.id, name=u.name, parent=u.parent, zone=u.zone, max_drawn=max_drawn.get(u.id))
            for u in w.units
        ),
        groups=tuple(groups),
        conflicts=tuple(conflicts),
        history=tuple(w.history),
        pins=tuple(pins),
        affinity=tuple(affinity),
        rules=rules,
    )
    group_index = {g.id: k for k, g in enumerate(all_plans)}
    role_index = {"leader": 0, "deputy": 1, "member": 2}
    ordered = sorted(
        recs, key=lambda r: (group_index[r.group], role_index[r.role], w.ids[r.member])
    )
    roster = Roster.of(
        Seat(
            round=w.rounds[r.ri],
            group=r.group,
            member=w.ids[r.member],
            role=r.role,
            mentor=w.ids[r.mentor] if r.mentor >= 0 else None,
        )
        for r in ordered
    )
    return instance, roster


def _with_objective(data: dict[str, dict[str, Any]], p: Preset) -> dict[str, dict[str, Any]]:
    out = dict(data)
    if p.mix:
        out["objective"] = {"mix_attributes": list(p.mix)}
    return out


_CONFLICT_REASONS = ("夫妻关系", "亲属关系", "同一科室", "曾有利害关系")


def _conflicts(rng: random.Random, w: _World, recs: list[_Rec]) -> list[Conflict]:
    """Pairs (mostly colleagues) who never share a group in the planted roster."""
    groups_of: dict[int, set[str]] = {}
    for r in recs:
        groups_of.setdefault(r.member, set()).add(r.group)
    by_unit: dict[str, list[int]] = {}
    for i in range(w.n):
        by_unit.setdefault(w.unit[i], []).append(i)
    want = max(1, w.n // CONFLICT_ROW_EVERY)
    out: list[Conflict] = []
    seen: set[tuple[int, int]] = set()
    tries = 0
    while len(out) < want and tries < 50 * want:
        tries += 1
        a = rng.randrange(w.n)
        mates = by_unit[w.unit[a]]
        b = rng.choice(mates) if rng.random() < 0.6 and len(mates) > 1 else rng.randrange(w.n)
        key = (min(a, b), max(a, b))
        if a == b or key in seen:
            continue
        if groups_of.get(a, set()) & groups_of.get(b, set()):
            continue
        seen.add(key)
        out.append(
            Conflict(
                member_a=w.ids[key[0]], member_b=w.ids[key[1]], reason=rng.choice(_CONFLICT_REASONS)
            )
        )
    return out


def _member(w: _World, i: int) -> Member:
    return Member(
        id=w.ids[i],
        name=w.names[i],
        unit=w.unit[i],
        specialties=tuple(w.specs[i]),
        can_lead=w.can_lead[i],
        can_deputy=w.can_deputy[i],
        rounds_served=w.served[i],
        full_time=w.full_time[i],
        party_member=w.party[i],
        status=w.status[i],
        newly_promoted=w.newly[i],
        rating=w.rating[i],
        max_rounds=w.max_rounds[i],
        unavailable_rounds=w.unavailable[i],
        conflict_units=w.conflict_units[i],
        gender=w.gender[i],
        birth_year=w.birth[i],
    )


#: Rules a golfer plan keeps on: exact group sizes, pairing, and the quotas (of 0 leaders and
#: deputies, which keep role variables out of the model). Every other relaxable rule is off:
#: with every member alike, each would either bind (a unit's draw cap, the full-time and party
#: minimums) or count nothing.
_GOLFER_ON: tuple[str, ...] = ("group-size", "leader-quota", "deputy-quota", "no-repeat-pairing")


def generate_golfer(members: int, group_size: int, rounds: int) -> Instance:
    """The social golfer problem ``members / group_size / rounds`` as a plan.

    ``members // group_size`` groups of exactly ``group_size`` seats in each of ``rounds``
    rounds, so that everyone sits every round (one seat per round, exact sizes); two members
    may share at most one group (``no-repeat-pairing`` hard). Members are interchangeable: one
    home unit, no specialty, no role (each group needs no leader and no deputy, which keeps
    role variables out of the model), experienced, and every other rule off. Every goal weight
    is 0, so any roster of the hard rules is optimal. Kirkman's schoolgirls are
    ``generate_golfer(15, 3, 7)``. Whether a roster exists is the golfer problem itself: the
    instance is valid, but feasible only for the known solvable cases.
    """
    if group_size < 2 or members < group_size or members % group_size or rounds < 1:
        raise GenerateError(
            "a golfer plan needs a group size of at least 2 that divides the members "
            f"and at least 1 round, got {members} members, groups of {group_size}, "
            f"{rounds} rounds"
        )
    per_round = members // group_size
    width = len(str(members))
    pool = Unit(id="POOL", name="golf club")
    units = (pool, *(Unit(id=f"T{k + 1}", name=f"course {k + 1}") for k in range(per_round)))
    data: dict[str, dict[str, Any]] = {
        rule: {"mode": "off"} for rule in RELAXABLE_RULES if rule not in _GOLFER_ON
    }
    data["no-repeat-pairing"] = {"mode": "hard"}
    data["objective"] = dict.fromkeys(GOAL_IDS, 0)
    return Instance(
        members=tuple(
            Member(id=f"M{i + 1:0{width}d}", name=f"golfer {i + 1}", unit=pool.id, rounds_served=5)
            for i in range(members)
        ),
        units=units,
        groups=tuple(
            Group(
                id=f"R{r + 1}G{k + 1}",
                targets=(f"T{k + 1}",),
                round=f"R{r + 1}",
                size_min=group_size,
                size_max=group_size,
                leaders=0,
                deputies_min=0,
                deputies_max=0,
            )
            for r in range(rounds)
            for k in range(per_round)
        ),
        rules=_rules(data),
    )
