"""diagnose(): pasted text in, a ranked differential out.

Pipeline: normalize -> parsers (facts) -> catalog signals (regex + fact predicates, for and
against) + text similarity to entries and to labeled cases -> one score per entry -> calibrated
confidence -> matches, evidence, next checks, or an honest abstention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from gotcha_kb.engine import scoring, semantic
from gotcha_kb.engine.brief import shown
from gotcha_kb.engine.cases import Case
from gotcha_kb.engine.checks import next_checks
from gotcha_kb.engine.evidence import Line, Parsed
from gotcha_kb.engine.models import Diagnosis, EvidenceItem, Match
from gotcha_kb.engine.normalize import normalize
from gotcha_kb.engine.owners import SignalOwners
from gotcha_kb.engine.parsers import parse_all
from gotcha_kb.engine.redact import redact
from gotcha_kb.engine.scoring import FEATURES, MAX_SIGNAL
from gotcha_kb.engine.signals import TextIndex, compiled, drop_repeats, evaluate, last_chars
from gotcha_kb.engine.tables import Tables, build_tables
from gotcha_kb.engine.textsim import phrase_hits
from gotcha_kb.kb.text import spellings, tokens
from gotcha_kb.engine.unexplained import ERROR_LINE, ErrorCoverage, error_lines
from gotcha_kb.kb.catalog import Catalog
from gotcha_kb.kb.models import Entry
from gotcha_kb.kb.names import find_profile, profile_values

MAX_PHRASES = 2.0  # phrase evidence saturates: three error strings are not 3x one
# Phrase and error-coverage features for this many best candidates (rapidfuzz is the cost: most of
# a log of distinct lines). 16 gave the same five answers, abstentions and top confidences as 40 on
# all 2,129 shipped, holdout and real cases; 12 changed one (tests/test_shortlist.py checks a sample).
PHRASE_CANDIDATES = 16
# "Most similar of all" means little when every similarity is faint: relative features are taken
# against at least this cosine, so a 0.08 resemblance cannot pose as the best match's full weight.
# 0.2 measured best of 0, 0.15, 0.2, 0.25, 0.35 on the real set under cross-validation.
REL_FLOOR = 0.2
# Similarities below these are noise, not evidence: a candidate needs more to be listed at all.
MIN_TEXT = 0.05  # cosine of the paste to the entry's own words
MIN_CASE = 0.1  # cosine to the nearest labeled case of the entry
MIN_CENTROID = 0.05  # cosine to the centroid of the entry's labeled cases
PLATFORM_WINDOW = 200_000  # characters from the end searched for platform names
# Regex signals read the last 256 KiB of the text without its repeats, where a log broke (parsers
# still read every line): a megabyte of distinct lines cost ~0.5 s of regex and literal scans.
SIGNAL_WINDOW_CHARS = 256 * 1024
TEXT_TAIL_LINES = 1000  # big logs: the text models read only the end, where it broke
PHRASE_TAIL_LINES = 300  # quoted error strings are looked for in the last lines only
ALSO_OK_SHARE = 0.5  # a case's second-choice answers count at half its similarity
NEAR_MISS = 0.25  # an abstention still offers the checks of candidates at least this likely
UNCOVERED_ERROR_SIM = 0.3  # nearer than this to an out-of-scope example (and than to any in-scope one): "not covered"


# A traceback frame (`File "/x/y.py", line 12, in f`) and the source line printed under it name the
# reporter's own files and library internals: words no entry can explain and no entry is about.
_FRAME = re.compile(r'^\s*File "[^"]*", line \d+')


# A training-progress line (`step 1200 loss 0.41 lr 3e-4`) is the backdrop of nearly every paste, in
# scope or not; its words (loss, lr, grad) would otherwise vote "an ML question, not a box trap".
_METRIC_WORD = re.compile(r"(?i)\b(?:step|epoch|iter|iteration|loss|lr|acc|accuracy|grad_norm|it/s|eta|batch)\b")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CJK_START = re.compile(r"[\u4e00-\u9fff]")


def _progress_line(text: str) -> bool:
    return bool(_METRIC_WORD.search(text)) and len(_NUMBER.findall(text)) >= 2 and not ERROR_LINE.search(text)


def _fits(e: Entry, plat: str | None) -> bool:
    """Whether the entry can be the answer on this platform: universal, the platform's own, or any
    entry when the platform is unknown."""
    return plat is None or e.platform in (None, plat)


def prose_lines(lines: list[Line]) -> list[Line]:
    """The lines that describe the problem: traceback frames and their code lines left out."""
    out, skip = [], False
    for ln in lines:
        if _FRAME.match(ln.text):
            skip = True
            continue
        if skip and ln.text.startswith((" ", "\t")) and ln.text.strip():
            skip = False
            continue
        skip = False
        out.append(ln)
    return out


@dataclass
class Candidate:
    score: float
    order: int  # catalog order: breaks ties
    entry: Entry
    evidence: list[EvidenceItem]
    features: dict[str, float]


@dataclass
class Reading:
    """The paste as the stages read it."""

    cut: int  # bytes dropped from the start to fit the input cap
    parsed: Parsed  # facts from recognised command output (parsers read every line)
    search_lines: list[Line]  # the lines without repeats
    index: TextIndex  # the end of those, for the regex signals
    free: list[Line]  # the last lines no parser claimed: what the text models read
    prose: list[Line]  # those without traceback frames


@dataclass
class Resemblance:
    prose: str  # the paste's prose lines, joined (what the sentence encoder reads)
    qtoks: list[str]  # the words of the prose
    entry: dict[int, float]  # entry row -> cosine to its words
    best_case: dict[str, tuple[float, Case]]  # entry id -> nearest labeled case and its cosine
    centroid: dict[str, float]  # entry id -> cosine to the centroid of its cases
    context: scoring.Context  # what the confidence curve knows about the paste as a whole

    @property
    def top_case(self) -> float:
        return max((s for s, _ in self.best_case.values()), default=0.0)

    @cached_property
    def as_written(self) -> dict[str, str]:
        """Token -> the paste's own word; built only when a case's shared words are shown."""
        return spellings(self.prose)


@dataclass
class Analysis:
    scored: list[Candidate]  # best first
    parsed: Parsed
    platform: str | None
    inferred: bool
    truncated: int  # bytes cut from the start of the input (0: none); the end is kept
    pos_sim: float  # similarity to the nearest in-scope example
    context: scoring.Context  # what the confidence curve knows about the paste as a whole
    below: dict[str, tuple[str, ...]]  # unplaced platform gotchas held under their universal entries

    @property
    def ranking(self) -> list[tuple[str, float]]:
        return [(c.entry.id, c.score) for c in self.scored]


class Engine:
    """A catalog compiled for diagnosis. Build once, call diagnose() many times (thread-safe reads)."""

    def __init__(self, catalog: Catalog, cases: Iterable[Case] = (), tables: Tables | None = None):
        """`tables` come from the disk cache (engine/snapshot.py) or are built here."""
        self.catalog = catalog
        self.entries = list(catalog.entries)
        self.by_id = {e.id: e for e in self.entries}
        self.position = {e.id: i for i, e in enumerate(self.entries)}  # row in entry_index
        self.cases = [c for c in cases if all(x in self.by_id for x in c.expect)]
        self.case_pos = {c.id: i for i, c in enumerate(self.cases)}
        self.case_by_id = {c.id: c for c in self.cases}
        t = tables if tables is not None else build_tables(self.entries, self.cases, catalog.profiles)
        self.tables = t
        self.entry_index, self.case_index, self.signals = t.entry_index, t.case_index, t.signals
        self.case_words, self.case_vocab, self.scope, self.centroids = t.case_words, t.case_vocab, t.scope, t.centroids
        self.phrases, self.phrase_weight, self.platform_aliases = t.phrases, t.phrase_weight, t.platform_aliases
        # Words the catalog and its in-scope examples use: an input made of other words is likely
        # about something the catalog does not cover.
        self.catalog_vocab = self.entry_index.idf  # its keys
        self.platform_patterns = t.platform_patterns
        self.entry_vectors = t.entry_vectors  # empty: the semantic features are off (GOTCHA_SEMANTIC=0)
        self.use_shortlist = True  # tests compare against scoring every candidate
        self._rows_by_platform: dict[str | None, np.ndarray] = {}
        self.owners = SignalOwners(self.signals)  # the shortlist's index
        self.model = scoring.load()

    # -- helpers -----------------------------------------------------------------------------

    def _coverage(self, toks: list[str], held: Case | None) -> float:
        """Share of the input's distinct words that the catalog or other in-scope cases use.

        Leave-one-out like the rest: a held-out case's own words do not vouch for it.
        """
        distinct = set(toks)
        if not distinct:
            return 1.0  # nothing but parsed command output: no foreign words either
        own = self.words_of(held.id) if held is not None and held.expect else set()
        known = sum(1 for t in distinct if t in self.catalog_vocab or self.case_vocab[t] - (t in own) > 0)
        return known / len(distinct)

    def _shortlist(
        self, plat: str | None, index: TextIndex, facts: dict, entry_sim: dict[int, float],
        best_case: dict[str, tuple[float, Case]], centroid: dict[str, float],
    ) -> list[Entry]:
        """The entries that fit the platform and can have any evidence at all, in catalog order;
        only they are scored.

        Exact, not a heuristic: an entry left out has no signal that could fire (none of its
        regexes' required literals is in the text, none of its predicates' facts was parsed) and
        no text, case or centroid similarity above the floors the scoring loop applies, so the
        loop would have dropped it for want of evidence. The cost follows what the paste touches,
        not the catalog's size.
        """
        ids = self.owners.entries_for(index, facts)
        ids.update(self.entries[row].id for row, s in entry_sim.items() if s > MIN_TEXT)
        ids.update(eid for eid, (s, _) in best_case.items() if s > MIN_CASE)
        ids.update(eid for eid, s in centroid.items() if s > MIN_CENTROID)
        rows = sorted(self.position[i] for i in ids if i in self.position)
        return [e for e in (self.entries[r] for r in rows) if _fits(e, plat)]

    def words_of(self, case_id: str) -> set[str]:
        return set(self.case_words[case_id].split())

    def _case_words_why(self, case: Case, sim: "Resemblance") -> str:
        """'reads like past reports of this trap: 'sighup', 'nohup'': the rarest shared words first,
        as the paste spelled them."""
        shared = set(sim.qtoks) & self.words_of(case.id)
        idf = self.case_index.idf
        # Chinese is matched as character bigrams, which often straddle two words ('半报' out of
        # 一半报错): shown after any whole word, they only fill in when nothing else is shared.
        words = sorted(shared, key=lambda t: (_CJK_START.match(t) is not None, -idf.get(t, 0.0), t))[:4]
        if not words:
            return "reads like past reports of this trap"
        return "reads like past reports of this trap: " + ", ".join(f"'{sim.as_written.get(t, t)}'" for t in words)

    def resolve_platform(self, name: str | None) -> str | None:
        """A profile name; an unknown one raises kb.names.UnknownName (a ValueError) listing the known."""
        return None if name is None else find_profile(self.catalog, name).name

    def _infer_platform(self, text: str) -> str | None:
        """The one platform the text names or gives away; None when it points at none or several."""
        text = text[-PLATFORM_WINDOW:]
        low = text.lower()
        # A substring scan per name is a C loop; the regex (word edges, case rules) only runs for
        # the names that occur at all. No name of one platform occurs inside another's, so
        # checking each name on its own finds what one alternation of all of them found.
        found = {
            self.platform_aliases[alias]
            for alias, pattern in self.platform_patterns.items()
            if alias in low and compiled(pattern).search(text)
        }
        return found.pop() if len(found) == 1 else None

    # -- the pipeline ------------------------------------------------------------------------

    def diagnose(
        self,
        text: str | bytes,
        platform: str | None = None,
        top_k: int = 5,
        exclude_case: str | None = None,
    ) -> Diagnosis:
        return self.answer(self.analyze(text, platform, exclude_case), top_k)

    def analyze(
        self, text: str | bytes, platform: str | None = None, exclude_case: str | None = None, every_candidate: bool = False
    ) -> "Analysis":
        """Score every candidate entry; `answer()` turns this into the user-facing Diagnosis.

        The stages, in order: read the paste, place it on a platform, measure how it resembles
        entries and labeled cases, collect each candidate's evidence, add quoted phrases, rank,
        and ask whether the best candidates account for the paste's error lines.

        Phrase and error-coverage features are computed for the plausible candidates only, which
        depends on the loaded model; a fit asks for `every_candidate` so that what it learns from
        does not depend on the model it replaces.
        """
        r = self._read(text)
        plat, inferred = self._place(platform, r.index)
        sim = self._resemblance(r, plat, exclude_case)
        scored = self._evidence(r, plat, sim)
        plausible = len(scored) if every_candidate else PHRASE_CANDIDATES
        self._phrases(scored[:plausible], r.free[-PHRASE_TAIL_LINES:])
        scored, below = self._rank(scored, plat)
        self._unexplained(scored[:plausible], r.parsed.own_lines(r.search_lines))
        return Analysis(scored, r.parsed, plat, inferred, r.cut, sim.top_case, sim.context, below)

    # -- the stages ------------------------------------------------------------------------------

    def _read(self, text: str | bytes) -> "Reading":
        lines, cut = normalize(text)
        parsed = parse_all(lines)
        # Parsers saw every line; regexes and text models read the input without its repeats, at
        # every size (a threshold made a slow band just under it).
        search_lines = drop_repeats(lines)
        free = [ln for ln in parsed.own_lines(search_lines) if ln.no not in parsed.claimed][-TEXT_TAIL_LINES:]
        return Reading(cut, parsed, search_lines, TextIndex(last_chars(search_lines, SIGNAL_WINDOW_CHARS)), free, prose_lines(free))

    def _place(self, platform: str | None, index: TextIndex) -> tuple[str | None, bool]:
        """The platform given, else the one the text gives away; and whether it was inferred."""
        plat = self.resolve_platform(platform)
        if plat is not None:
            return plat, False
        plat = self._infer_platform(index.text)
        return plat, plat is not None

    def _resemblance(self, r: "Reading", plat: str | None, exclude_case: str | None) -> "Resemblance":
        """How the paste's words resemble each entry, its labeled cases, and in-scope text at all."""
        prose = " ".join(ln.text for ln in r.prose)
        qtoks = tokens(prose)
        case_sim = self.case_index.query(qtoks)
        best_case: dict[str, tuple[float, Case]] = {}
        neg_sim = 0.0
        for i, sim in case_sim.items():
            case = self.cases[i]
            if case.id == exclude_case:
                continue
            if plat is not None and case.platform not in (None, plat) and any(self.by_id[x].platform for x in case.expect):
                continue
            if not case.expect:
                neg_sim = max(neg_sim, sim)
                continue
            for rank, eid in enumerate(case.expect[:1] + case.also_ok):
                s = sim if rank == 0 else sim * ALSO_OK_SHARE
                if s > best_case.get(eid, (0.0, case))[0]:
                    best_case[eid] = (s, case)
        held = self.case_by_id.get(exclude_case) if exclude_case else None  # leave-one-out in evals
        # Whether the paste is ours at all is judged without its progress lines (they still rank).
        gist = tokens(" ".join(ln.text for ln in r.prose if not _progress_line(ln.text)))
        scope = self.scope.log_odds(set(gist), (self.words_of(held.id), bool(held.expect)) if held else None)
        context = scoring.Context(neg_sim, self._coverage(gist, held), scope)
        centroid = self.centroids.similarity(case_sim, self.case_pos.get(exclude_case) if exclude_case else None)
        return Resemblance(prose, qtoks, self.entry_index.query(qtoks), best_case, centroid, context)

    def _evidence(self, r: "Reading", plat: str | None, sim: "Resemblance") -> list[Candidate]:
        """Each candidate that has any evidence, with its features; best first."""
        # Unknown platform: every platform's gotchas still compete, flagged `unplaced` so the fitted
        # weight can say how much less likely a platform-specific answer is without that context.
        max_text = self._best_row(sim.entry, plat)
        max_case = max((s for eid, (s, _) in sim.best_case.items() if self._answers(eid, plat)), default=0.0)
        if self.use_shortlist:
            candidates = self._shortlist(plat, r.index, r.parsed.facts, sim.entry, sim.best_case, sim.centroid)
        else:
            candidates = [e for e in self.entries if _fits(e, plat)]
        scored: list[Candidate] = []
        for order, e in enumerate(candidates):
            f = {k: 0.0 for k in FEATURES}
            ev = self._signal_evidence(e, r, f)
            f["unplaced"] = 1.0 if plat is None and e.platform else 0.0
            text = sim.entry.get(self.position[e.id], 0.0)
            if text > MIN_TEXT:
                f["text"], f["text_rel"] = text, text / max(max_text, REL_FLOOR)
                ev.append(self._shown("text", f"the text resembles this entry (cosine {text:.2f})", f, "text", "text_rel"))
            if e.id in sim.best_case and sim.best_case[e.id][0] > MIN_CASE:
                s, case = sim.best_case[e.id]
                f["case"], f["case_rel"] = s, s / max(max_case, REL_FLOOR)
                # Name the words shared with that past report, not its id: no command shows a case.
                ev.append(self._shown("case", self._case_words_why(case, sim), f, "case", "case_rel"))
            cs = sim.centroid.get(e.id, 0.0)
            if cs > MIN_CENTROID:
                f["centroid"] = cs
                ev.append(self._shown("case", f"worded like past reports of this trap overall (similarity {cs:.2f})", f, "centroid"))
            if ev:
                scored.append(Candidate(0.0, order, e, ev, f))
        self._meaning(scored, sim.prose, plat)
        for c in scored:
            c.score = self.model.score(c.features)
        scored.sort(key=lambda c: (-c.score, c.order))
        return scored

    def _meaning(self, scored: list[Candidate], prose: str, plat: str | None) -> None:
        """Closeness in meaning for the candidates the words found. Alone it names none, so a paste
        with no candidate never runs the sentence encoder (most of a diagnosis' time)."""
        cosines = semantic.similarities(self.entry_vectors, prose) if scored else None
        if cosines is None:
            return
        rows = self._rows_for(plat)
        top = max(float(cosines[rows].max()) if len(rows) else 0.0, REL_FLOOR)
        for c in scored:
            s = float(cosines[self.position[c.entry.id]])
            c.features["semantic"], c.features["semantic_rel"] = s, s / top
            why = f"means much what this entry describes (similarity {s:.2f})"
            c.evidence.append(self._shown("semantic", why, c.features, "semantic", "semantic_rel"))

    def _answers(self, entry_id: str, plat: str | None) -> bool:
        """Whether the entry exists here and can be the answer on this platform (any, when unknown)."""
        e = self.by_id.get(entry_id)
        return e is not None and _fits(e, plat)

    def _rows_for(self, plat: str | None) -> np.ndarray:
        """Catalog rows of the entries this platform can answer with (every row without one)."""
        if plat not in self._rows_by_platform:
            rows = [n for n, e in enumerate(self.entries) if _fits(e, plat)]
            self._rows_by_platform[plat] = np.array(rows, dtype=np.intp)
        return self._rows_by_platform[plat]

    def _best_row(self, by_row: dict[int, float], plat: str | None) -> float:
        """The highest similarity among the entries this platform can answer with (rows in catalog order)."""
        return max((v for row, v in by_row.items() if _fits(self.entries[row], plat)), default=0.0)

    def _signal_evidence(self, e: Entry, r: "Reading", f: dict[str, float]) -> list[EvidenceItem]:
        """The entry's catalog signals that fire, as evidence; sets the signal features in `f`."""
        ev: list[EvidenceItem] = []
        pos = neg = 0.0
        backed = False  # a fact predicate (a parsed reading) spoke for this entry
        for sig in self.signals[e.id]:
            hit = evaluate(sig, r.index, r.parsed.facts)
            if hit is None:
                continue
            side = "signal_pos" if sig.weight >= 0 else "signal_neg"
            if sig.weight >= 0:
                pos += sig.weight
                backed = backed or bool(sig.predicates)
            else:
                neg += sig.weight
            ev.append(EvidenceItem(kind="regex" if sig.pattern is not None else "fact", why=sig.why or sig.source,
                                   weight=round(self.model.score({side: sig.weight}), 2), line=hit.line,
                                   text=redact(hit.text) if hit.text else None))
        f["signal_pos"], f["signal_neg"] = min(pos, MAX_SIGNAL), neg
        # The paste holds readings (df, nvidia-smi, memory.events...) and none of them speaks
        # for this entry: a healthy `df -i` under a question about inodes.
        f["unbacked"] = 1.0 if r.parsed.facts and not backed else 0.0
        return ev

    def _shown(self, kind: str, why: str, f: dict[str, float], *features: str) -> EvidenceItem:
        """Evidence whose weight is what these features add to the score: the model's own sum."""
        return EvidenceItem(kind=kind, why=why, weight=round(self.model.score({k: f[k] for k in features}), 2))

    def _phrases(self, plausible: list[Candidate], tail: list[Line]) -> None:
        """Error strings and multi-word keywords quoted in the paste's last lines (rapidfuzz: the
        costly step, so only for the plausible candidates)."""
        texts = [ln.text for ln in tail]
        if not texts:
            return
        for cand in plausible:
            ph = 0.0
            for phrase, li, _ in phrase_hits(self.phrases[cand.entry.id], texts):
                pw = self.phrase_weight.get(phrase.lower(), 1.0)
                ph += pw
                cand.evidence.append(EvidenceItem(kind="phrase", why=f"mentions '{phrase}'", weight=round(self.model.score({"phrase": pw}), 2),
                                                  line=tail[li].no, text=redact(tail[li].text)))
            cand.features["phrase"] = min(ph, MAX_PHRASES)
            cand.score = self.model.score(cand.features)

    def _rank(self, scored: list[Candidate], plat: str | None) -> tuple[list[Candidate], dict[str, tuple[str, ...]]]:
        # Without platform context a platform gotcha is an alternative, never the answer.
        below = {c.entry.id: tuple(c.entry.refs) for c in scored if plat is None and c.entry.platform}
        if not below:
            return sorted(scored, key=lambda c: (-c.score, c.order)), below
        ranked = scoring.rank([c.score for c in scored], [c.entry.id for c in scored], below)
        out = [scored[n] for _, n in ranked]
        for (score, _), cand in zip(ranked, out):
            cand.score = score
        return out, below

    def _unexplained(self, plausible: list[Candidate], search_lines: list[Line]) -> None:
        errors = ErrorCoverage(error_lines(search_lines), lambda t: self.entry_index.query(tokens(t)))
        for cand in plausible:
            hit_lines = {x.line for x in cand.evidence if x.line is not None}
            cand.features["unexplained"] = errors.unexplained(self.position[cand.entry.id], hit_lines)

    def answer(self, a: "Analysis", top_k: int = 5) -> Diagnosis:
        """The user-facing Diagnosis: calibrated matches and checks, or an abstention that says why."""
        matches, listed = self._matches(a, top_k)
        abstained = not matches or listed < self.model.abstain_below
        if abstained:
            # The guess is named with its title: an id alone sends the reader to another command.
            guess = f" (best guess {matches[0].id} — {matches[0].title}, {matches[0].confidence:.0%} sure)" if matches else ""
            reason = f"no entry fits well enough to name{guess}"
            own_errors = error_lines(a.parsed.own_lines(a.parsed.lines))
            # "No fault" only when no reading spoke for any candidate (an OOM kill in dmesg is one).
            faults = any(ev.kind == "fact" and ev.weight > 0 for c in a.scored for ev in c.evidence)
            if a.parsed.facts and not own_errors and not faults:
                reason += "; the readings show no fault and the text holds no error line"
            elif a.parsed.all_output and not own_errors:
                reason += "; all of it is command output or an environment listing that shows no fault: add the error you see"
            elif a.context.neg_sim > a.pos_sim and a.context.neg_sim > UNCOVERED_ERROR_SIM:
                reason += "; the text looks like an error the catalog does not cover"
            # Near misses still get checks; far misses would only be noise.
            checked = [m for m in matches[: scoring.SHORTLIST] if m.confidence >= NEAR_MISS]
        else:
            reason = f"{matches[0].id} with confidence {matches[0].confidence:.2f}"
            if len(matches) > 1:
                reason += f"; next {matches[1].id} at {matches[1].confidence:.2f}"
            reason += f"; confidence that the answer is among the first {scoring.SHORTLIST}: {listed:.3f}"
            # Checks for candidates too faint to be shown would tell apart nothing the reader sees.
            checked = shown(matches[: scoring.SHORTLIST])
        return Diagnosis(
            matches=[] if abstained else matches,
            next_checks=next_checks(checked, self.by_id, a.parsed.facts) if checked else [],
            abstained=abstained,
            reason=reason,
            shortlist_confidence=round(listed, 3),
            platform=a.platform,
            platform_inferred=a.inferred,
            facts={k: f.value for k, f in a.parsed.facts.items()},
            parsers=a.parsed.parsers,
            input_lines=len(a.parsed.lines),
            truncated=a.truncated > 0,
            dropped_bytes=a.truncated,
        )

    def _matches(self, a: "Analysis", top_k: int) -> tuple[list[Match], float]:
        """The first `top_k` candidates with calibrated confidence; and the shortlist gate's value."""
        scored = a.scored
        profile = self.catalog.profiles.get(a.platform) if a.platform else None
        matches: list[Match] = []
        listed = 0.0  # the shortlist gate, read off the best candidate
        for k, cand in enumerate(scored[: max(1, top_k)]):
            score, e, ev = cand.score, cand.entry, cand.evidence
            # The margin is the lead over the best *other* candidate: positive for the winner only,
            # so a runner-up can never look surer than the entry ranked above it.
            if k > 0:
                rival = scored[0].score
            else:
                rival = scored[1].score if len(scored) > 1 else min(0.0, score)
            conf = self.model.confidence(score, rival, cand.features, a.context)
            if k == 0:
                listed = self.model.shortlist(score, rival, cand.features, a.context)
                if a.parsed.all_output:
                    floor = scoring.readings_floor(cand.features, scored[1].features if len(scored) > 1 else {})
                    conf, listed = max(conf, floor), max(listed, floor)
            if matches:
                conf = min(conf, matches[-1].confidence)
            own = self.catalog.profiles.get(e.platform) if e.platform else profile
            ev.sort(key=lambda x: -abs(x.weight))
            matches.append(Match(
                id=e.id, title=e.title, theme=e.theme, platform=e.platform, confidence=round(conf, 3), score=round(score, 2),
                evidence=ev, fix=e.fix, commands=e.commands, source=str(e.source),
                profile_values=profile_values(e.profile_fields, own.facts) if own is not None else {},
            ))
        return matches, listed
