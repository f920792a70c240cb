"""What each published-data file in data/ must look like.

One `Table` per CSV file. The loader checks every file against its table: columns, types,
allowed values, unique keys and references to the sources table. The About page shows the
same descriptions as the data dictionary, so they are written for readers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MEASURES = ("shootings", "explosions", "dead", "injured")
LANGUAGES = ("sv", "en")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # int, text, bool, date (YYYY-MM-DD), partial_date (YYYY, YYYY-MM or YYYY-MM-DD)
    description: str
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


def _source(description: str = "Source of the row (sources.source_id).") -> Column:
    return Column("source_id", "text", description, references="sources")


def _figure_provenance() -> tuple[Column, ...]:
    """The date a yearly figure runs to, its source and a remark: the same in every table of yearly figures."""
    return (
        Column("as_of", "date", "The date the figure runs to."),
        _source(),
        Column("note", "text", "Remark on this figure.", required=False),
    )


def _population_columns() -> tuple[Column, ...]:
    """The columns of a population on 31 December per year: Malmö's and Sweden's."""
    return (
        Column("year", "int", "Calendar year."),
        Column("population", "int", "Inhabitants on 31 December (people).", minimum=1),
        Column("as_of", "date", "Date of the count."),
        _source(),
    )


TABLES: tuple[Table, ...] = (
    Table(
        "sources",
        "Every publication a figure comes from.",
        key=("source_id",),
        columns=(
            Column("source_id", "text", "Short id that data rows use to name their source."),
            Column(
                "kind",
                "text",
                "primary: one of the two documents the project was created from; secondary: other public material.",
                allowed=("primary", "secondary"),
            ),
            Column("publisher", "text", "Who published it."),
            Column("title", "text", "Title of the publication."),
            Column(
                "date_published",
                "partial_date",
                "When it was published or last changed, as precise as known.",
                required=False,
            ),
            Column("date_accessed", "date", "When the figures were entered into this project."),
            Column("url", "text", "Address, where one is recorded.", required=False),
            Column("notes", "text", "What to know about the source.", required=False),
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
            Column("year", "int", "Calendar year."),
            Column("measure", "text", "What is counted.", allowed=MEASURES),
            Column(
                "count",
                "int",
                "Number of incidents (shootings, explosions) or people (dead, injured). "
                "Empty when not published, never 0.",
                required=False,
                minimum=0,
            ),
            Column(
                "status",
                "text",
                "published: a figure for the whole year; provisional: a part-year figure; "
                "not_published: no citable figure found.",
                allowed=("published", "provisional", "not_published"),
            ),
            Column("is_headline", "bool", "true for the one row the dashboard shows."),
            *_figure_provenance(),
            Column(
                "is_lower_bound",
                "bool",
                "true where the source gives the count as a lower bound ('minst 23'): shown as 'at least 23', "
                "never as exact. Empty or false: the count is exact.",
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
            Column("year", "int", "Calendar year."),
            Column("measure", "text", "What is counted.", allowed=MEASURES),
            Column(
                "count",
                "int",
                "Number of incidents (shootings, explosions) or people (dead, injured) in the whole year. A year "
                "without a row is not published, never 0.",
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
            Column("city", "text", "US city."),
            Column("programme", "text", "Name of the local programme."),
            Column("programme_start_year", "int", "Year the programme began."),
            Column(
                "quoted_change_pct",
                "int",
                "Change as quoted by Malmö stad, in per cent (negative = fewer).",
            ),
            Column("quoted_outcome_sv", "text", "What fell, in Malmö stad's Swedish wording."),
            Column("quoted_outcome_en", "text", "What fell, in English."),
            Column("metric_sv", "text", "What the study measured (Swedish)."),
            Column("metric_en", "text", "What the study measured (English)."),
            Column("study_period", "text", "Period the study covers.", required=False),
            Column("study", "text", "Authors and year of the study."),
            Column("design_sv", "text", "Study design (Swedish)."),
            Column("design_en", "text", "Study design (English)."),
            Column("caveat_sv", "text", "What to keep in mind (Swedish).", required=False),
            Column("caveat_en", "text", "What to keep in mind (English).", required=False),
            _source("Where the figure is quoted (sources.source_id)."),
            Column(
                "study_source_id",
                "text",
                "The study behind the figure (sources.source_id).",
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
            Column("city", "text", "US city."),
            Column("programme", "text", "Name of the local programme."),
            Column("programme_start_year", "int", "Year the programme began."),
            _source(),
        ),
    ),
    Table(
        "us_city_population",
        "Population of the US cities whose yearly series are shown, for rates per 100 000 inhabitants. "
        "A city without a row has no population found in a citable source.",
        key=("city", "year"),
        columns=(
            Column("city", "text", "US city."),
            Column("year", "int", "Year of the count."),
            Column("population", "int", "Inhabitants (people).", minimum=1),
            Column("as_of", "date", "Date of the count."),
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
            Column("city", "text", "US city."),
            Column("year", "int", "Calendar year."),
            Column(
                "measure",
                "text",
                "Which shootings: total (fatal and non-fatal), fatal or non_fatal.",
                allowed=("total", "fatal", "non_fatal"),
            ),
            Column(
                "unit",
                "text",
                "What one counts: victims (people shot) or incidents (shootings, however many were hit).",
                allowed=("victims", "incidents"),
            ),
            Column("count", "int", "The number for the whole year.", minimum=0),
            Column("is_headline", "bool", "true for the one row per city, year and measure the series shows."),
            *_figure_provenance(),
        ),
    ),
    Table(
        "outreach_rounds",
        "Rounds and reports of outreach: call-ins, custom notifications, programme totals.",
        key=("round_id",),
        columns=(
            Column("round_id", "text", "Short id of the round or report."),
            Column(
                "activity",
                "text",
                "What kind of outreach the figures describe.",
                allowed=("call_ins_and_notifications", "custom_notification_round", "programme_total"),
            ),
            Column("label_sv", "text", "Name shown in Swedish."),
            Column("label_en", "text", "Name shown in English."),
            Column("period_start", "date", "First day the figures cover, where known.", required=False),
            Column("period_end", "date", "Last day the figures cover."),
            Column("as_of", "date", "Date the figures were published."),
            _source(),
            Column("note", "text", "Remark on the round.", required=False),
        ),
    ),
    Table(
        "outreach_figures",
        "Published outreach figures, one row per round and step of the funnel. Aggregates "
        "only: no row describes a person.",
        key=("round_id", "stage"),
        columns=(
            Column("round_id", "text", "Round (outreach_rounds.round_id).", references="outreach_rounds"),
            Column("step", "int", "Order of the stage within the round, from 1.", minimum=1),
            Column(
                "stage",
                "text",
                "What was counted.",
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
            Column("count", "int", "The published number.", minimum=0),
            Column(
                "is_lower_bound",
                "bool",
                "true where the source says 'just over' or 'over': shown as 'at least 100', never as exact.",
            ),
            Column("unit", "text", "What one counts.", allowed=("people", "meetings", "conversations")),
            _source(),
            Column(
                "is_approximate",
                "bool",
                "true where the source says 'about' or 'cirka' ('omkring 250'): shown as 'about 250', never as "
                "exact. Empty or false: the count is exact.",
                required=False,
            ),
        ),
    ),
    Table(
        "milestones",
        "Programme milestones, marked on the time axis of the trends.",
        key=("milestone_id",),
        columns=(
            Column("milestone_id", "text", "Short id."),
            Column("date", "date", "First day of the period the milestone is known to."),
            Column(
                "precision",
                "text",
                "How precisely the date is known.",
                allowed=("day", "month", "season", "year"),
            ),
            Column("when_sv", "text", "The date as it may be said, Swedish."),
            Column("when_en", "text", "The date as it may be said, English."),
            Column("label_sv", "text", "What happened, Swedish."),
            Column("label_en", "text", "What happened, English."),
            _source(),
        ),
    ),
    Table(
        "evaluation_findings",
        "Findings of the evaluations of Sluta skjut and of focused deterrence.",
        key=("finding_id",),
        columns=(
            Column("finding_id", "text", "Short id."),
            Column("published", "partial_date", "When the finding was published."),
            Column("finding_sv", "text", "The finding, Swedish."),
            Column("finding_en", "text", "The finding, English."),
            _source(),
        ),
    ),
    Table(
        "help_lines",
        "Public help lines of the programme (service numbers, not personal data).",
        key=("line_id",),
        columns=(
            Column("line_id", "text", "Short id."),
            Column("purpose_sv", "text", "What the line is for, Swedish."),
            Column("purpose_en", "text", "What the line is for, English."),
            Column("contact", "text", "Phone number or e-mail address."),
            Column("contact_kind", "text", "Kind of contact.", allowed=("phone", "email")),
            _source(),
        ),
    ),
    Table(
        "definitions",
        "Definitions and caveats shown on the About page.",
        key=("term_id",),
        columns=(
            Column("term_id", "text", "Short id."),
            Column("kind", "text", "definition or caveat.", allowed=("definition", "caveat")),
            Column("title_sv", "text", "Heading, Swedish."),
            Column("title_en", "text", "Heading, English."),
            Column("text_sv", "text", "Text, Swedish."),
            Column("text_en", "text", "Text, English."),
            _source(),
        ),
    ),
)

TABLES_BY_NAME = {table.name: table for table in TABLES}
