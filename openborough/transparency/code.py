"""The datasets England's Local Government Transparency Code 2015 requires,
each as a template: its fields (with the column names councils commonly use
for them), how often it is due, and checks across rows.

Field lists follow the Code as summarised in ``../shared/reference/ukgov.md``
§2.3. Where the Code leaves the shape open (parking account, parking spaces,
fraud, facility time) the template uses one row per figure or category, so a
council's own breakdown fits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..soql.types import SoQLType

QUARTERLY = "quarterly"
ANNUALLY = "annually"

#: value kinds → the SoQL type the column is published as
KIND_TYPES = {
    "text": SoQLType.TEXT,
    "choice": SoQLType.TEXT,
    "money": SoQLType.MONEY,
    "number": SoQLType.NUMBER,
    "date": SoQLType.FLOATING_TIMESTAMP,
    "yesno": SoQLType.CHECKBOX,
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"
    #: the column must be in the file, and (``required``) every row needs a value
    required: bool = True
    #: the column must be in the file but a row may leave it blank
    column_required: bool = True
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    #: the value may name a person (a sole trader, an employee): checked for personal data
    may_name_person: bool = False
    help: str = ""

    @property
    def soql_type(self) -> SoQLType:
        return KIND_TYPES[self.kind]


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    frequency: str
    summary: str
    fields: tuple[FieldSpec, ...]
    #: checks across all rows: (rows as dicts of parsed values) → list of (level, message)
    checks: tuple[Callable[[list[dict]], list[tuple[str, str]]], ...] = field(default=())
    category: str = "Council and democracy"

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def F(name, label, kind="text", *, required=True, optional_value=False, aliases=(), choices=(), person=False, help=""):
    """Shorthand: ``required=False`` makes the column optional; ``optional_value`` keeps
    the column required but lets rows leave it blank."""
    return FieldSpec(
        name=name,
        label=label,
        kind=kind,
        required=required and not optional_value,
        column_required=required,
        aliases=aliases,
        choices=choices,
        may_name_person=person,
        help=help,
    )


# --- shared fields -------------------------------------------------------------
DEPARTMENT = (
    "department",
    "service area",
    "organisational unit",
    "service area categorisation",
    "directorate",
    "service",
    "responsible unit",
    "department incurring expenditure",
    "responsible department",
)
BENEFICIARY = (
    "beneficiary",
    "supplier",
    "supplier name",
    "payee",
    "payee name",
    "vendor",
    "vendor name",
    "merchant name",
    "merchant",
    "recipient",
)
PURPOSE = (
    "purpose",
    "summary of purpose",
    "expenditure category",
    "purpose of expenditure",
    "narrative",
    "description",
    "expenditure type",
    "expenses type",
    "expense type",
    "summary",
)
MERCHANT_CATEGORY = (
    "merchant category",
    "procurement category",
    "expense category",
    "category",
    "merchant category code",
    "mcc",
    "expense area",
)
AMOUNT = ("amount", "net amount", "value", "amount gbp", "amount £", "total", "transaction amount")
VAT = ("irrecoverable vat", "irrecoverable vat amount", "vat irrecoverable", "irrec vat")
DATE = (
    "date",
    "date incurred",
    "paid date",
    "payment date",
    "transaction date",
    "date paid",
    "invoice date",
    "posting date",
)


def _threshold(field_name: str, limit: float, what: str):
    def check(rows):
        below = sum(1 for r in rows if r.get(field_name) is not None and 0 <= r[field_name] < limit)
        if below:
            return [
                (
                    "warning",
                    f"{below} row{'s' if below != 1 else ''} below £{limit:,.0f}: the Code asks for {what} "
                    f"over £{limit:,.0f} (publishing less is allowed).",
                )
            ]
        return []

    return check


def _needs_categories(field_name: str, wanted: tuple[str, ...], label: str):
    def check(rows):
        have = {r.get(field_name) for r in rows}
        missing = [w for w in wanted if w not in have]
        return [("error", f"{label}: no row for {', '.join(missing)}.")] if missing else []

    return check


def _parking_surplus(rows):
    income = sum(r["amount"] or 0 for r in rows if str(r.get("category", "")).endswith("income"))
    spend = sum(r["amount"] or 0 for r in rows if r.get("category") == "expenditure")
    used = any(r.get("category") == "surplus spent" for r in rows)
    if income > spend and not used:
        return [
            (
                "error",
                f"The account shows a surplus of £{income - spend:,.2f}: add 'surplus spent' rows saying "
                "how it was spent, as the Code requires.",
            )
        ]
    return []


def _pay_multiple(rows):
    out = []
    for i, r in enumerate(rows, start=1):
        hi, med, ratio = r.get("highest_earnings"), r.get("median_earnings"), r.get("pay_multiple")
        if hi and med and ratio and abs(hi / med - ratio) > 0.01 * ratio + 0.05:
            out.append(
                ("error", f"row {i}: pay multiple {ratio} does not match {hi:,.2f} ÷ {med:,.2f} = {hi / med:.2f}")
            )
    return out


def _senior_names(rows):
    out = []
    for i, r in enumerate(rows, start=1):
        if r.get("name") and (r.get("remuneration") or 0) < 150000:
            out.append(
                (
                    "personal",
                    f"row {i}: names are published only for those paid £150,000 or more; suggest removing the name",
                )
            )
    return out


TEMPLATES: dict[str, Template] = {}


def _add(t: Template) -> None:
    TEMPLATES[t.key] = t


_add(
    Template(
        "spending-over-500",
        "Expenditure over £500",
        QUARTERLY,
        "Every item of expenditure over £500: invoices, grants, rent, credit notes and transactions with other bodies.",
        (
            F("date", "Date incurred", "date", aliases=DATE),
            F("department", "Department", aliases=DEPARTMENT),
            F(
                "beneficiary",
                "Beneficiary",
                aliases=BENEFICIARY,
                person=True,
                help="A sole trader or other individual: publish 'Redacted personal data'",
            ),
            F("purpose", "Summary of purpose", aliases=PURPOSE),
            F("amount", "Amount (£)", "money", aliases=AMOUNT),
            F("irrecoverable_vat", "Irrecoverable VAT (£)", "money", optional_value=True, aliases=VAT),
            F("merchant_category", "Merchant category", aliases=MERCHANT_CATEGORY),
            F(
                "transaction_number",
                "Transaction number",
                required=False,
                aliases=("transaction number", "transaction id", "reference", "invoice number"),
            ),
            F("supplier_id", "Supplier id", required=False, aliases=("supplier id", "supplier number", "vendor id")),
        ),
        (_threshold("amount", 500, "items"),),
    )
)
_add(
    Template(
        "procurement-card",
        "Government Procurement Card transactions",
        QUARTERLY,
        "Every transaction on a Government Procurement Card.",
        (
            F("date", "Date", "date", aliases=DATE),
            F("department", "Department", aliases=DEPARTMENT),
            F("beneficiary", "Beneficiary", aliases=BENEFICIARY, person=True),
            F("amount", "Amount (£)", "money", aliases=AMOUNT),
            F("irrecoverable_vat", "Irrecoverable VAT (£)", "money", optional_value=True, aliases=VAT),
            F("purpose", "Summary of purpose", aliases=PURPOSE),
            F("merchant_category", "Merchant category", aliases=MERCHANT_CATEGORY),
        ),
    )
)
_add(
    Template(
        "tenders-over-5000",
        "Invitations to tender over £5,000",
        QUARTERLY,
        "Every invitation to tender or to quote for contracts over £5,000.",
        (
            F("reference", "Reference number", aliases=("reference", "reference number", "tender reference", "ref")),
            F("title", "Title", aliases=("title", "tender title", "contract title")),
            F(
                "description",
                "Goods or services sought",
                aliases=("description", "description of goods or services", "goods or services", "summary"),
            ),
            F("start_date", "Start date", "date", aliases=("start date", "contract start date", "start")),
            F("end_date", "End date", "date", aliases=("end date", "contract end date", "end")),
            F("review_date", "Review date", "date", optional_value=True, aliases=("review date", "review")),
            F("department", "Responsible department", aliases=DEPARTMENT),
        ),
    )
)
_add(
    Template(
        "contracts-over-5000",
        "Contracts over £5,000",
        QUARTERLY,
        "Every contract, commissioned activity, purchase order and framework agreement over £5,000.",
        (
            F("reference", "Reference number", aliases=("reference", "reference number", "contract reference", "ref")),
            F("title", "Title", aliases=("title", "contract title")),
            F("department", "Responsible department", aliases=DEPARTMENT),
            F("description", "Description", aliases=("description", "description of goods or services", "summary")),
            F(
                "supplier_name",
                "Supplier name",
                aliases=("supplier name", "supplier", "contractor", "provider"),
                person=True,
            ),
            F("supplier_details", "Supplier details", required=False, aliases=("supplier details", "supplier address")),
            F(
                "value",
                "Value over the contract's life or estimated annual spend (£)",
                "money",
                aliases=("value", "contract value", "total value", "estimated annual spend", "sum", "amount"),
            ),
            F("irrecoverable_vat", "Irrecoverable VAT (£)", "money", optional_value=True, aliases=VAT),
            F("start_date", "Start date", "date", aliases=("start date", "contract start date", "start")),
            F("end_date", "End date", "date", aliases=("end date", "contract end date", "end")),
            F("review_date", "Review date", "date", optional_value=True, aliases=("review date", "review")),
            F(
                "procurement_route",
                "Invitation to quote or published tender",
                "choice",
                aliases=("procurement route", "route", "invitation to quote or tender", "tendered"),
                choices=("invitation to quote", "published tender", "other"),
            ),
            F("sme", "Supplier is an SME", "yesno", aliases=("sme", "is sme", "small or medium enterprise")),
            F(
                "vcse",
                "Supplier is a VCSE organisation",
                "yesno",
                aliases=("vcse", "vcs", "voluntary or community sector"),
            ),
            F(
                "supplier_registration_number",
                "Supplier registration number",
                optional_value=True,
                aliases=("registration number", "company number", "charity number", "supplier registration number"),
            ),
        ),
        (_threshold("value", 5000, "contracts"),),
    )
)
_add(
    Template(
        "land-and-assets",
        "Land and building assets",
        ANNUALLY,
        "Every parcel of land and building the authority owns or uses, with its tenure.",
        (
            F("uprn", "Unique Property Reference Number", aliases=("uprn", "unique property reference number")),
            F(
                "asset_id",
                "Unique asset identity",
                aliases=("asset id", "unique asset identity", "asset reference", "property reference"),
            ),
            F(
                "name",
                "Building or land name",
                aliases=("name", "building name", "property name", "asset name", "site name"),
            ),
            F(
                "street_number",
                "Street number(s)",
                optional_value=True,
                aliases=("street number", "number", "street numbers"),
            ),
            F("street_name", "Street name", aliases=("street name", "street", "address")),
            F("post_town", "Post town", aliases=("post town", "town")),
            F("postcode", "Postcode", aliases=("postcode", "post code")),
            F("easting", "Map reference: easting", "number", aliases=("easting", "map reference easting", "x")),
            F("northing", "Map reference: northing", "number", aliases=("northing", "map reference northing", "y")),
            F(
                "tenure",
                "Tenure",
                "choice",
                aliases=("tenure", "tenure type"),
                choices=("freehold", "leasehold", "other"),
            ),
            F("tenure_category", "Tenure category", aliases=("tenure category", "tenure detail", "occupation")),
        ),
    )
)
_add(
    Template(
        "grants-vcse",
        "Grants to voluntary, community and social enterprise organisations",
        ANNUALLY,
        "Every grant to a voluntary, community or social enterprise organisation.",
        (
            F("date_awarded", "Date awarded", "date", aliases=("date awarded", "award date", "date")),
            F("period_covered", "Period covered", aliases=("period covered", "time period", "period", "grant period")),
            F("department", "Awarding department", aliases=DEPARTMENT + ("awarding department",)),
            F("beneficiary", "Beneficiary", aliases=BENEFICIARY + ("organisation", "organisation name", "recipient")),
            F(
                "registration_number",
                "Beneficiary registration number",
                optional_value=True,
                aliases=("registration number", "charity number", "company number", "beneficiary registration number"),
            ),
            F("purpose", "Summary of purpose", aliases=PURPOSE),
            F("amount", "Amount (£)", "money", aliases=AMOUNT),
        ),
    )
)
_add(
    Template(
        "organisation-chart",
        "Organisation chart",
        ANNUALLY,
        "The top three levels of the organisation.",
        (
            F("grade", "Grade", aliases=("grade", "pay grade")),
            F("job_title", "Job title", aliases=("job title", "post title", "title", "role")),
            F("department", "Department", aliases=DEPARTMENT),
            F("team", "Team", aliases=("team", "unit", "section")),
            F(
                "employment",
                "Permanent or temporary",
                "choice",
                aliases=("permanent or temporary", "employment status", "contract type", "status"),
                choices=("permanent", "temporary"),
            ),
            F("contact", "Contact details", aliases=("contact", "contact details", "email", "phone")),
            F("salary_band", "Salary (in £5,000 brackets)", aliases=("salary band", "salary bracket", "salary")),
            F("salary_ceiling", "Salary ceiling (£)", "money", aliases=("salary ceiling", "maximum salary", "ceiling")),
            F("vacant", "Vacant post", "yesno", required=False, aliases=("vacant", "vacancy", "vacant post")),
        ),
    )
)
_add(
    Template(
        "senior-salaries",
        "Senior salaries",
        ANNUALLY,
        "Remuneration and job title of employees paid £50,000 or more; names only for those paid £150,000 or more.",
        (
            F("job_title", "Job title", aliases=("job title", "post title", "title", "role")),
            F(
                "remuneration",
                "Remuneration (£)",
                "money",
                aliases=("remuneration", "salary", "total remuneration", "pay"),
            ),
            F(
                "salary_band",
                "Salary band (£5,000 brackets)",
                required=False,
                aliases=("salary band", "salary bracket"),
            ),
            F(
                "name",
                "Name (only if paid £150,000 or more)",
                required=False,
                aliases=("name", "employee name", "post holder"),
                person=True,
            ),
            F("responsibilities", "Responsibilities", required=False, aliases=("responsibilities", "services")),
            F("budget_held", "Budget held (£)", "money", required=False, aliases=("budget held", "budget")),
            F(
                "staff_numbers",
                "Staff responsible for",
                "number",
                required=False,
                aliases=("staff numbers", "staff", "number of staff"),
            ),
            F("bonuses", "Bonuses (£)", "money", required=False, aliases=("bonuses", "bonus")),
            F("benefits_in_kind", "Benefits in kind (£)", "money", required=False, aliases=("benefits in kind", "bik")),
        ),
        (_senior_names,),
    )
)
_add(
    Template(
        "pay-multiple",
        "Pay multiple",
        ANNUALLY,
        "The ratio of the highest taxable earnings to the median earnings of the whole workforce on a fixed date.",
        (
            F("date", "Date of the figures", "date", aliases=("date", "as at", "snapshot date")),
            F(
                "highest_earnings",
                "Highest taxable earnings (£)",
                "money",
                aliases=("highest earnings", "highest taxable earnings", "highest paid"),
            ),
            F(
                "median_earnings",
                "Median earnings of the workforce (£)",
                "money",
                aliases=("median earnings", "median", "median salary"),
            ),
            F("pay_multiple", "Pay multiple", "number", aliases=("pay multiple", "ratio", "pay ratio")),
        ),
        (_pay_multiple,),
    )
)
_add(
    Template(
        "trade-union-facility-time",
        "Trade union facility time",
        ANNUALLY,
        "Staff who are union representatives, time spent on union duties, unions, and the cost.",
        (
            F(
                "representatives",
                "Staff who are union representatives",
                "number",
                aliases=("representatives", "union representatives", "number of representatives"),
            ),
            F(
                "representatives_over_half_time",
                "Representatives spending at least 50% of time on union duties",
                "number",
                aliases=("representatives over half time", "at least 50%", "representatives 50%"),
            ),
            F("unions", "Names of the unions", aliases=("unions", "union names", "trade unions")),
            F(
                "spend",
                "Estimated spend on facility time (£)",
                "money",
                aliases=("spend", "cost", "facility time cost"),
            ),
            F(
                "pay_bill_percentage",
                "Spend as a percentage of the total pay bill",
                "number",
                aliases=("pay bill percentage", "percentage of pay bill", "% of pay bill"),
            ),
        ),
    )
)
_add(
    Template(
        "fraud",
        "Counter-fraud work",
        ANNUALLY,
        "Counter-fraud powers used, staff and specialists, spend and cases investigated.",
        (
            F(
                "powers_used",
                "Times social-housing fraud powers were used",
                "number",
                aliases=("powers used", "number of occasions powers used", "powers"),
            ),
            F(
                "staff_headcount",
                "Staff investigating or prosecuting fraud (headcount)",
                "number",
                aliases=("staff headcount", "headcount"),
            ),
            F("staff_fte", "Staff investigating or prosecuting fraud (FTE)", "number", aliases=("staff fte", "fte")),
            F(
                "specialists_headcount",
                "Accredited counter-fraud specialists (headcount)",
                "number",
                aliases=("specialists headcount", "accredited headcount"),
            ),
            F(
                "specialists_fte",
                "Accredited counter-fraud specialists (FTE)",
                "number",
                aliases=("specialists fte", "accredited fte"),
            ),
            F("spend", "Spend on investigation and prosecution (£)", "money", aliases=("spend", "cost", "total spend")),
            F("cases_investigated", "Fraud cases investigated", "number", aliases=("cases investigated", "cases")),
        ),
    )
)
_add(
    Template(
        "parking-account",
        "Parking account",
        ANNUALLY,
        "Income (on-street, off-street, penalty charge notices) and expenditure on parking, and how any surplus was spent. "
        "One row per line of the account.",
        (
            F(
                "category",
                "Category",
                "choice",
                aliases=("category", "type", "line type"),
                choices=(
                    "on-street income",
                    "off-street income",
                    "penalty charge notice income",
                    "expenditure",
                    "surplus spent",
                ),
            ),
            F("item", "Item", aliases=("item", "description", "line", "detail")),
            F("amount", "Amount (£)", "money", aliases=AMOUNT),
        ),
        (
            _needs_categories(
                "category",
                ("on-street income", "off-street income", "penalty charge notice income"),
                "The Code asks for income split into on-street, off-street and penalty charge notices",
            ),
            _needs_categories("category", ("expenditure",), "The Code asks for a breakdown of expenditure"),
            _parking_surplus,
        ),
        category="Transport",
    )
)
_add(
    Template(
        "parking-spaces",
        "Parking spaces",
        ANNUALLY,
        "The number of marked-out controlled on-street and off-street parking spaces (or an estimate where bays are not "
        "marked).",
        (
            F(
                "location",
                "On-street or off-street",
                "choice",
                aliases=("location", "on or off street", "type", "street"),
                choices=("on-street", "off-street"),
            ),
            F("description", "Description", required=False, aliases=("description", "zone", "car park", "area")),
            F("spaces", "Number of spaces", "number", aliases=("spaces", "number of spaces", "count", "bays")),
            F("estimated", "Estimated (bays not marked)", "yesno", required=False, aliases=("estimated", "estimate")),
            F(
                "charging",
                "Free or charged",
                "choice",
                required=False,
                aliases=("charging", "free or charged", "charge"),
                choices=("free", "charged"),
            ),
        ),
        (
            _needs_categories(
                "location", ("on-street", "off-street"), "The Code asks for on-street and off-street spaces"
            ),
        ),
        category="Transport",
    )
)
