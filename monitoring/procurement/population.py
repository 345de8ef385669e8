"""Each source's running Cardinal population, kept in memory and in step with the database.

On arrival a process is judged by Cardinal's eleven indicators against its source's processes so far. Instead of
reading every stored release of the source again for each request, each server process keeps the source's
population in memory (`RunningCardinalPopulation`, pure) and updates it per record:

- a record's change bumps the source's `PopulationState` (version, token) in the record's own transaction, under
  the row's lock, stamps the process with that version, and adds the release to the population in memory;
- before using its copy, a server process compares it with the state row: the same version and token: current;
  behind: it reads only the processes changed since its version (another worker's records); from another epoch
  (the row made anew, a process moved to another source), or settings changed: rebuilt once from the database;
- a record whose transaction is rolled back is taken out again (`undo`); a change not yet known to be committed
  is taken out before catching up, so a rolled-back change never stays in memory.

The fences are still drawn over the whole population (`result()`), in memory; no release is read again.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, field

from django.db import transaction

from monitoring.models import SourceSystem
from monitoring.procurement.models import PopulationState, Process
from monitoring.procurement.reading import org_refs, parse_release
from monitoring.rules.cardinal.population import collector_paused
from monitoring.rules.cardinal.running import RunningCardinalPopulation
from monitoring.rules.cardinal.settings import CardinalSettings

_lock = threading.RLock()


@dataclass
class SourcePopulation:
    """A server process's copy of one source's population, and the database version it stands for."""

    key: str
    epoch: uuid.UUID
    settings_digest: str
    population: RunningCardinalPopulation
    version: int = 0  # every change up to this version is in, and committed
    pending: list[tuple[int, uuid.UUID]] = field(default_factory=list)  # changes not yet known to be committed
    homes: dict[str, tuple[int, str]] = field(default_factory=dict)  # organisation id → (first process pk, region)
    rebuilt: int = 0  # how many times it was read whole (for tests and the admin's curiosity)


_memory: dict[str, SourcePopulation] = {}


def population_key(source: SourceSystem | None) -> str:
    return f"source:{source.pk}" if source is not None else "none"


def _digest(ini: str) -> str:
    return hashlib.sha256(ini.encode()).hexdigest()


def _state(key: str) -> PopulationState:
    """The source's state row, locked for this transaction (created at version 0 in a new epoch if missing)."""
    state = PopulationState.objects.select_for_update().filter(key=key).first()
    if state is None:
        state, _ = PopulationState.objects.get_or_create(
            key=key, defaults={"epoch": uuid.uuid4(), "version": 0, "token": uuid.uuid4()}
        )
        state = PopulationState.objects.select_for_update().get(pk=state.pk)
    return state


def _processes(source: SourceSystem | None):
    return Process.objects.filter(source=source) if source is not None else Process.objects.filter(source=None)


def _note_homes(memory: SourcePopulation, pk: int, region_id: str, organisations: set[str]) -> None:
    for org in organisations:
        home = memory.homes.get(org)
        if home is None or pk <= home[0]:
            memory.homes[org] = (pk, region_id)


def _fold_rows(memory: SourcePopulation, rows) -> None:
    with collector_paused():  # a source read whole: no full collection walking the contributions kept so far
        for pk, release, region_id in rows:
            memory.population.add(release)
            _note_homes(memory, pk, region_id, org_refs(parse_release(release)))


def _rebuild(source, state: PopulationState, settings: CardinalSettings, digest: str) -> SourcePopulation:
    memory = SourcePopulation(
        key=state.key,
        epoch=state.epoch,
        settings_digest=digest,
        population=RunningCardinalPopulation(settings, compat=False),
        version=state.version,
    )
    rows = _processes(source).order_by("pk").values_list("pk", "release", "region_id").iterator(chunk_size=500)
    _fold_rows(memory, rows)
    memory.population.forget_undo()
    previous = _memory.get(state.key)
    memory.rebuilt = (previous.rebuilt if previous is not None else 0) + 1
    _memory[state.key] = memory
    return memory


def _synced(source, state: PopulationState, settings: CardinalSettings, ini: str) -> SourcePopulation:
    """This server process's copy of the population, brought to the state row's version. Call under the lock."""
    digest = _digest(ini)
    memory = _memory.get(state.key)
    if memory is None or memory.epoch != state.epoch or memory.settings_digest != digest:
        return _rebuild(source, state, settings, digest)
    if memory.pending and memory.pending[-1] == (state.version, state.token):
        return memory  # current: its last changes are this transaction's, or committed since
    while memory.pending:  # changes rolled back, or superseded: take them out, then catch up
        memory.pending.pop()
        memory.population.undo()
    if memory.version > state.version:
        return _rebuild(source, state, settings, digest)
    if memory.version < state.version:
        changed = (
            _processes(source)
            .filter(population_version__gt=memory.version)
            .order_by("population_version", "pk")
            .values_list("pk", "release", "region_id")
        )
        _fold_rows(memory, changed)
        memory.population.forget_undo()
        memory.version = state.version
    return memory


def _confirm(key: str, version: int, token: uuid.UUID) -> None:
    """After commit: the changes up to this one are kept for good."""
    with _lock:
        memory = _memory.get(key)
        if memory is not None and (version, token) in memory.pending:
            while memory.pending and memory.pending[0] != (version, token):
                memory.pending.pop(0)
            memory.pending.pop(0)
            memory.version = version
            if not memory.pending:
                memory.population.forget_undo()


@dataclass(frozen=True)
class Change:
    """A record's change of the population, to take back if its transaction is rolled back."""

    key: str
    version: int
    token: uuid.UUID


def record_change(
    *,
    source: SourceSystem | None,
    process: Process,
    moved_from: SourceSystem | None | bool,
    organisations: set[str],
    settings: CardinalSettings,
    ini: str,
) -> Change:
    """In the record's transaction: the process joins (or replaces itself in) its source's population.

    `moved_from` is the source the process belonged to before, when it changed source (`False` if it did not):
    that source's population is then started anew (a new epoch), since a process left it.
    """
    if moved_from is not False:
        PopulationState.objects.filter(key=population_key(moved_from)).update(epoch=uuid.uuid4())
    with _lock:
        state = _state(population_key(source))
        memory = _synced(source, state, settings, ini)
        state.version += 1
        state.token = uuid.uuid4()
        state.save(update_fields=["version", "token"])
        Process.objects.filter(pk=process.pk).update(population_version=state.version)
        memory.population.add(process.release)
        _note_homes(memory, process.pk, process.region_id, organisations)
        memory.pending.append((state.version, state.token))
    change = Change(state.key, state.version, state.token)
    transaction.on_commit(lambda: _confirm(change.key, change.version, change.token), robust=True)
    return change


def take_back(change: Change) -> None:
    """The record's transaction was rolled back: its change leaves the population in memory."""
    with _lock:
        memory = _memory.get(change.key)
        if memory is not None and memory.pending and memory.pending[-1] == (change.version, change.token):
            memory.pending.pop()
            memory.population.undo()


def current(source: SourceSystem | None, settings: CardinalSettings, ini: str) -> SourcePopulation:
    """The source's population as this transaction sees it (read whole only on first use in this process)."""
    with _lock, transaction.atomic():
        return _synced(source, _state(population_key(source)), settings, ini)
