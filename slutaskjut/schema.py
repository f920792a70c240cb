"""What each published-data file in data/ must look like.

One `Table` per CSV file. The loader checks every file against its table: columns, types,
allowed values, unique keys, references to the sources table, and that a bilingual pair
(`note_sv`, `note_en`) is filled in both languages or in neither. What a column means, for
readers, is in the column catalogue (columns.toml), which the About page's data dictionary shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MEASURES = ("shootings", "explosions", "dead", "injured")
LANGUAGES = ("sv", "en")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # int, text, bool, date (YYYY-MM-DD), partial_date (YYYY, YYYY-MM or YYYY-MM-DD)
    required: bool = True
    allowed: tuple[str, ...] = ()
    references: str | None = None  # name of the table whose key this column holds
    minimum: int | None = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    # Extra unique keys that hold only among rows where a boolean column is true.
    unique_where: tuple[tuple[tuple[str, ...], str], ...] = field(default=())

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


def _source() -> Column:
    return Column("source_id", "text", references="sources")


def _note() -> tuple[Column, ...]:
    """A remark on a row, in Swedish and English."""
    return tuple(Column(f"note_{lang}", "text", required=False) for lang in LANGUAGES)


def _figure_provenance() -> tuple[Column, ...]:
    """The date a yearly figure runs to, its source and a remark: the same in every table of yearly figures."""
    return (
        Column("as_of", "date"),
        _source(),
        *_note(),
    )


def _population_columns() -> tuple[Column, ...]:
    """The columns of a population on 31 December per year: Malmö's and Sweden's."""
    return (
        Column("year", "int"),
        Column("population", "int", minimum=1),
        Column("as_of", "date"),
        _source(),
    )


TABLES: tuple[Table, ...] = (
    Table(
        "sources",
        "Every publication a figure comes from.",
        key=("source_id",),
        columns=(
            Column("source_id", "text"),
            Column(
                "kind",
                "text",
                allowed=("primary", "secondary"),
            ),
            Column("publisher", "text"),
            Column("title", "text"),
            Column(
                "form",
                "text",
                required=False,
                allowed=("press_release", "web_page", "data_set", "newsletter", "topic_page"),
            ),
            Column(
                "date_published",
                "partial_date",
                required=False,
            ),
            Column("date_accessed", "date"),
            Column("url", "text", required=False),
            *(Column(f"notes_{lang}", "text", required=False) for lang in LANGUAGES),
        ),
    ),
    Table(
        "malmo_yearly",
        "Shootings, explosions, dead and injured in Malmö per year, one row per published "
        "figure and source. The headline row of a year and measure is the one the dashboard "
        "shows; other rows are confirmations, part-year figures or disagreeing sources.",
        key=("year", "measure", "source_id"),
        unique_where=((("year", "measure"), "is_headline"),),
        columns=(
            Column("year", "int"),
            Column("measure", "text", allowed=MEASURES),
            Column(
                "count",
                "int",
                required=False,
                minimum=0,
            ),
            Column(
                "status",
                "text",
                allowed=("published", "provisional", "not_published"),
            ),
            Column("is_headline", "bool"),
            *_figure_provenance(),
            Column(
                "is_lower_bound",
                "bool",
                required=False,
            ),
        ),
    ),
    Table(
        "population",
        "Malmö's population on 31 December, for rates per 100 000 inhabitants.",
        key=("year",),
        columns=_population_columns(),
    ),
    Table(
        "sweden_yearly",
        "Shootings, explosions, dead and injured in Sweden as a whole per year, one row per figure and source. "
        "The sources disagree: every row is shown, none is chosen as the headline.",
        key=("year", "measure", "source_id"),
        columns=(
            Column("year", "int"),
            Column("measure", "text", allowed=MEASURES),
            Column(
                "count",
                "int",
                minimum=0,
            ),
            *_figure_provenance(),
        ),
    ),
    Table(
        "sweden_population",
        "Sweden's population on 31 December, for rates per 100 000 inhabitants. A year without a row has no "
        "population found in a citable source, and no national rate.",
        key=("year",),
        columns=_population_columns(),
    ),
    Table(
        "us_results",
        "Results of Group Violence Intervention in US cities as quoted by Malmö stad, with the study behind each.",
        key=("city",),
        columns=(
            Column("city", "text"),
            Column("programme", "text"),
            Column("programme_start_year", "int"),
            Column(
                "quoted_change_pct",
                "int",
            ),
            Column("quoted_outcome_sv", "text"),
            Column("quoted_outcome_en", "text"),
            Column("metric_sv", "text"),
            Column("metric_en", "text"),
            Column("study_period", "text", required=False),
            Column("study", "text"),
            Column("design_sv", "text"),
            Column("design_en", "text"),
            Column("caveat_sv", "text", required=False),
            Column("caveat_en", "text", required=False),
            _source(),
            Column(
                "study_source_id",
                "text",
                references="sources",
            ),
        ),
    ),
    Table(
        "us_programmes",
        "Group Violence Intervention programmes of the US cities whose yearly series are shown and "
        "whose results Malmö stad does not quote (those are in us_results).",
        key=("city",),
        columns=(
            Column("city", "text"),
            Column("programme", "text"),
            Column("programme_start_year", "int"),
            _source(),
        ),
    ),
    Table(
        "us_city_population",
        "Population of the US cities whose yearly series are shown, for rates per 100 000 inhabitants. "
        "A city without a row has no population found in a citable source.",
        key=("city", "year"),
        columns=(
            Column("city", "text"),
            Column("year", "int"),
            Column("population", "int", minimum=1),
            Column("as_of", "date"),
            _source(),
        ),
    ),
    Table(
        "us_city_yearly",
        "Shooting victims per year in US cities with Group Violence Intervention, one row per figure and "
        "source. The headline rows are each city's series; the others (press figures, other data sets) "
        "are shown beside them where they agree or differ.",
        key=("city", "year", "measure", "source_id"),
        unique_where=((("city", "year", "measure"), "is_headline"),),
        columns=(
            Column("city", "text"),
            Column("year", "int"),
            Column(
                "measure",
                "text",
                allowed=("total", "fatal", "non_fatal"),
            ),
            Column(
                "unit",
                "text",
                allowed=("victims", "incidents"),
            ),
            Column("count", "int", minimum=0),
            Column("is_headline", "bool"),
            *_figure_provenance(),
        ),
    ),
    Table(
        "outreach_rounds",
        "Rounds and reports of outreach: call-ins, custom notifications, programme totals.",
        key=("round_id",),
        columns=(
            Column("round_id", "text"),
            Column(
                "activity",
                "text",
                allowed=("call_ins_and_notifications", "custom_notification_round", "programme_total"),
            ),
            Column("label_sv", "text"),
            Column("label_en", "text"),
            Column("period_start", "date", required=False),
            Column("period_end", "date"),
            Column("as_of", "date"),
            _source(),
            *_note(),
        ),
    ),
    Table(
        "outreach_figures",
        "Published outreach figures, one row per round and step of the funnel. Aggregates "
        "only: no row describes a person.",
        key=("round_id", "stage"),
        columns=(
            Column("round_id", "text", references="outreach_rounds"),
            Column("step", "int", minimum=1),
            Column(
                "stage",
                "text",
                allowed=(
                    "call_ins_held",
                    "call_in_participants",
                    "custom_notifications_held",
                    "custom_notification_individuals",
                    "sought_out",
                    "sought_exit_support",
                    "wanted_help_on_the_spot",
                    "helped_to_relocate",
                    "deprived_of_liberty",
                    "given_the_message",
                    "left_crime",
                ),
            ),
            Column("count", "int", minimum=0),
            Column(
                "is_lower_bound",
                "bool",
            ),
            Column("unit", "text", allowed=("people", "meetings", "conversations")),
            _source(),
            Column(
                "is_approximate",
                "bool",
                required=False,
            ),
        ),
    ),
    Table(
        "milestones",
        "Programme milestones, marked on the time axis of the trends.",
        key=("milestone_id",),
        columns=(
            Column("milestone_id", "text"),
            Column("date", "date"),
            Column(
                "precision",
                "text",
                allowed=("day", "month", "season", "year"),
            ),
            Column("when_sv", "text"),
            Column("when_en", "text"),
            Column("label_sv", "text"),
            Column("label_en", "text"),
            _source(),
        ),
    ),
    Table(
        "evaluation_findings",
        "Findings of the evaluations of Sluta skjut and of focused deterrence.",
        key=("finding_id",),
        columns=(
            Column("finding_id", "text"),
            Column("published", "partial_date"),
            Column("finding_sv", "text"),
            Column("finding_en", "text"),
            _source(),
        ),
    ),
    Table(
        "help_lines",
        "Public help lines of the programme (service numbers, not personal data).",
        key=("line_id",),
        columns=(
            Column("line_id", "text"),
            Column("purpose_sv", "text"),
            Column("purpose_en", "text"),
            Column("contact", "text"),
            Column("contact_kind", "text", allowed=("phone", "email")),
            _source(),
        ),
    ),
    Table(
        "definitions",
        "Definitions and caveats shown on the About page.",
        key=("term_id",),
        columns=(
            Column("term_id", "text"),
            Column("kind", "text", allowed=("definition", "caveat")),
            Column("title_sv", "text"),
            Column("title_en", "text"),
            Column("text_sv", "text"),
            Column("text_en", "text"),
            _source(),
        ),
    ),
)

TABLES_BY_NAME = {table.name: table for table in TABLES}
