"""What podcast directories accept in [show]: Apple's category table, the shapes of an e-mail address
and a language tag, and the addresses a published feed must not point at.

Every check gives messages, one line each, naming the key and what is allowed; the caller decides
whether a message is an error, a warning or a line of `broadcast feed --check`.
"""

from __future__ import annotations

import difflib
import ipaddress
import re

from broadcast.config import ShowSettings
from broadcast.errors import ConfigError
from broadcast.input.web_url import is_web_url, split_web_url
from broadcast.publish.feed_xml import one_line

# Apple Podcasts' categories and their subcategories, spelled (and cased) as itunes:category takes them.
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality"),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

# The primary subtag of a language tag: an ISO 639-1 code, or an ISO 639-2 code (bibliographic or
# terminology form), lower case.
_ISO_639_CODES = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz "
    "ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik "
    "io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml "
    "mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd "
    "se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi "
    "vo wa wo xh yi yo za zh zu "
    "aar abk ace ach ada ady afa afh afr ain aka akk alb ale alg alt amh ang anp apa ara arc arg arm arn arp "
    "art arw asm ast ath aus ava ave awa aym aze bad bai bak bal bam ban baq bas bat bej bel bem ben ber bho "
    "bih bik bin bis bla bnt bod bos bra bre btk bua bug bul bur byn cad cai car cat cau ceb cel ces cha chb "
    "che chg chi chk chm chn cho chp chr chu chv chy cmc cnr cop cor cos cpe cpf cpp cre crh crp csb cus cym "
    "cze dak dan dar day del den deu dgr din div doi dra dsb dua dum dut dyu dzo efi egy eka ell elx eng enm "
    "epo est eus ewe ewo fan fao fas fat fij fil fin fiu fon fra fre frm fro frr frs fry ful fur gaa gay gba "
    "gem geo ger gez gil gla gle glg glv gmh goh gon gor got grb grc gre grn gsw guj gwi hai hat hau haw heb "
    "her hil him hin hit hmn hmo hrv hsb hun hup hye iba ibo ice ido iii ijo iku ile ilo ina inc ind ine inh "
    "ipk ira iro isl ita jav jbo jpn jpr jrb kaa kab kac kal kam kan kar kas kat kau kaw kaz kbd kha khi khm "
    "kho kik kin kir kmb kok kom kon kor kos kpe krc krl kro kru kua kum kur kut lad lah lam lao lat lav lez "
    "lim lin lit lol loz ltz lua lub lug lui lun luo lus mac mad mag mah mai mak mal man mao map mar mas may "
    "mdf mdr men mga mic min mis mkd mkh mlg mlt mnc mni mno moh mon mos mri msa mul mun mus mwl mwr mya myn "
    "myv nah nai nap nau nav nbl nde ndo nds nep new nia nic niu nld nno nob nog non nor nqo nso nub nwc nya "
    "nym nyn nyo nzi oci oji ori orm osa oss ota oto paa pag pal pam pan pap pau peo per phi phn pli pol pon "
    "por pra pro pus que raj rap rar roa roh rom ron rum run rup rus sad sag sah sai sal sam san sas sat scn "
    "sco sel sem sga sgn shn sid sin sio sit sla slk slo slv sma sme smi smj smn smo sms sna snd snk sog som "
    "son sot spa sqi srd srn srp srr ssa ssw suk sun sus sux swa swe syc syr tah tai tam tat tel tem ter tet "
    "tgk tgl tha tib tig tir tiv tkl tlh tli tmh tog ton tpi tsi tsn tso tuk tum tup tur tut tvl twi tyv udm "
    "uga uig ukr umb und urd uzb vai ven vie vol vot wak wal war was wel wen wln wol xal xho yao yap yid yor "
    "ypk zap zbl zen zgh zha zho znd zul zun zxx zza "
)
ISO_639 = frozenset(_ISO_639_CODES.split())

# A well-formed BCP 47 tag (RFC 5646 langtag; grandfathered tags are not podcast languages).
_LANGUAGE_TAG = re.compile(
    r"(?:(?P<primary>[a-z]{2,3})(?:-[a-z]{3}){0,3}|[a-z]{4,8})"  # language, extlangs
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variants
    r"(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*"  # extensions
    r"(?:-x(?:-[a-z0-9]{1,8})+)?",  # private use
    re.IGNORECASE,
)
LANGUAGE_EXAMPLES = "such as en, en-US, de, pt-BR"

_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[^\W_](?:[\w-]{0,61}[^\W_])?")

# Domains reserved for documentation (RFC 2606, RFC 6761): nobody can publish a feed there.
_PLACEHOLDER_DOMAINS = ("example.com", "example.net", "example.org")
_PLACEHOLDER_TLDS = ("example", "invalid", "test")

REQUIRED = ("name", "description", "language", "category", "owner_email")


def _did_you_mean(value: str, allowed: tuple[str, ...] | list[str], listing: str) -> str:
    """A near miss as "did you mean X?" (Apple's names are case-sensitive), else `listing`."""
    by_lower = {a.lower(): a for a in allowed}
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    return f"did you mean {by_lower[close[0]]}?" if close else listing


def category_problems(category: str, subcategory: str) -> list[str]:
    if category not in APPLE_CATEGORIES:
        names = tuple(APPLE_CATEGORIES)
        hint = _did_you_mean(category, names, "one of " + ", ".join(names))
        return [f"show category {category!r} is not an Apple Podcasts category ({hint})"]
    subs = APPLE_CATEGORIES[category]
    if not subcategory or subcategory in subs:
        return []
    owner = next((c for c, s in APPLE_CATEGORIES.items() if subcategory in s), None)
    allowed = (
        f"subcategories of {category}: " + ", ".join(subs)
        if subs
        else f'{category} has no subcategories: set subcategory = ""'
    )
    if owner:
        return [
            f"show subcategory {subcategory!r} belongs to Apple Podcasts category {owner}, not {category} ({allowed})"
        ]
    hint = _did_you_mean(subcategory, subs, allowed) if subs else allowed
    return [f"show subcategory {subcategory!r} is not an Apple Podcasts subcategory of {category} ({hint})"]


def email_problem(key: str, value: str) -> str | None:
    local, at, domain = value.strip().rpartition("@")
    labels = domain.rstrip(".").split(".")
    if (
        at
        and len(value.strip()) <= 254
        and len(local) <= 64
        and _EMAIL_LOCAL.fullmatch(local)
        and all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
    ):
        return None
    return f"show {key} {value!r} is not an e-mail address (expected name@domain)"


def language_problem(key: str, value: str) -> str | None:
    match = _LANGUAGE_TAG.fullmatch(value.strip())
    if match is None:
        return f"show {key} {value!r} is not a BCP 47 language tag with an ISO 639 language code ({LANGUAGE_EXAMPLES})"
    primary = match["primary"] or value.strip().split("-")[0]
    if primary.lower() in ISO_639:
        return None
    if primary == value.strip():
        return f"show {key} {value!r} is not an ISO 639 language code ({LANGUAGE_EXAMPLES})"
    return f"show {key} {value!r}: {primary!r} is not an ISO 639 language code ({LANGUAGE_EXAMPLES})"


def absolute_url(url: str, what: str) -> str:
    if not is_web_url(url):
        raise ConfigError(f"show {what} must be an absolute http(s) URL, not {url!r}")
    return url.strip()


def rule_problems(show: ShowSettings) -> list[str]:
    """Everything in [show] a directory would refuse, in the order of the keys."""
    problems = [f"show {key} is empty; the feed requires it" for key in REQUIRED if not one_line(getattr(show, key))]
    for key, value in (("base_url", show.base_url), ("link", show.link)):
        try:
            if value or key == "base_url":
                absolute_url(value, key)
        except ConfigError as exc:
            problems.append(str(exc))
    if show.language.strip():
        problems.append(language_problem("language", show.language) or "")
    if show.category.strip():
        problems.extend(category_problems(show.category, show.subcategory))
    if show.owner_email.strip():
        problems.append(email_problem("owner_email", show.owner_email) or "")
    return [p for p in problems if p]


def is_placeholder(host: str) -> bool:
    """A host on a domain reserved for documentation: example.com/.net/.org, .example, .invalid, .test."""
    host = host.lower().rstrip(".")
    return host.rsplit(".", 1)[-1] in _PLACEHOLDER_TLDS or any(
        host == d or host.endswith("." + d) for d in _PLACEHOLDER_DOMAINS
    )


def local_host(host: str) -> str:
    """What keeps a directory from reaching `host` ("localhost", "a private address" ...), or ""."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return "localhost"
    try:
        address = str(ipaddress.ip_address(host))
    except ValueError:
        import socket  # here: 6 ms of start-up that only a numeric host name needs

        try:  # the legacy spellings a resolver accepts: 2130706433, 0x7f.1, 127.1
            address = socket.inet_ntoa(socket.inet_aton(host)) if re.fullmatch(r"[0-9a-fx.]+", host) else ""
        except OSError:
            address = ""
    if not address:
        return ""
    from broadcast.input.fetch import non_public  # with http.client and ssl: only for an address

    kind = non_public(address)
    return f"a {kind} address" if kind else ""


def _host(url: str) -> str:
    parts = split_web_url(url)
    return parts.hostname or "" if parts else ""


def _hosts(show: ShowSettings) -> list[tuple[str, str, str]]:
    """(key, value, host) of every address in [show] a listener's app or a directory uses."""
    out = [(key, url, _host(url)) for key, url in (("base_url", show.base_url), ("link", show.link)) if url]
    email = show.owner_email.strip()
    if "@" in email:
        out.append(("owner_email", show.owner_email, email.rpartition("@")[2]))
    return out


def check_show(show: ShowSettings, strict: bool = False) -> None:
    """The channel fields the feed requires, by the directories' rules; `strict` also refuses
    placeholders and local addresses. A build checks them before it writes anything."""
    problems = show_problems(show, strict)
    if problems:
        raise ConfigError(problems[0])


def placeholder_warnings(show: ShowSettings) -> list[str]:
    """One line per key still on a documentation domain: fine for a try-out, wrong once published."""
    return [
        f"show {key} is the placeholder {value.strip()}; set [show] {key} in show.toml before publishing"
        for key, value, host in _hosts(show)
        if host and is_placeholder(host)
    ]


def unreachable(show: ShowSettings) -> list[str]:
    """Addresses only this machine or network can reach: fine for a local preview, not for a directory."""
    out = []
    for key, value, host in _hosts(show):
        where = local_host(host) if host else ""
        if where:
            public = "a public e-mail address" if key == "owner_email" else "a public address"
            out.append(
                f"show {key} {value.strip()} is on {where}, which podcast directories cannot reach; "
                f"set [show] {key} to {public} before publishing"
            )
    return out


def show_problems(show: ShowSettings, strict: bool = False) -> list[str]:
    """Every reason to refuse [show]; `strict` (publishing for real) adds placeholders and local addresses."""
    problems = rule_problems(show)
    if strict:
        problems += placeholder_warnings(show) + unreachable(show)
    return problems
