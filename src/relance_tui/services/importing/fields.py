"""What each import kind reads: its fields, the headers that name them, how values are read.

Field names are the domain model's field names (plus `phone`/`mobile` for contacts), so the
validation types come from the model itself (`model.model_fields[name]`). Header aliases are
written here already normalised by `read.normalise_label` (a test checks they are).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from pydantic import BaseModel

from relance_tui.domain.labels import CONTACT_ROLE_KEYS, PAYER_TYPE_KEYS, SEGMENT_KEYS
from relance_tui.domain.models import (
    Channel,
    Contact,
    ContactRole,
    Debtor,
    Invoice,
    PayerType,
    Payment,
    Segment,
)
from relance_tui.i18n import t, t_in
from relance_tui.services.importing.read import normalise_label


class ImportKind(StrEnum):
    INVOICES = "invoices"
    DEBTORS = "debtors"
    CONTACTS = "contacts"
    PAYMENTS = "payments"


class Read(StrEnum):
    """How a raw cell becomes a value before the model's types validate it."""

    TEXT = "text"  # as typed (the model strips it); empty means the model's default
    OPTIONAL = "optional"  # as typed; empty means None
    AMOUNT = "amount"  # French or English amount → integer cents
    DATE = "date"  # `31/12/2026`, `2026-12-31`, `--date-format` → ISO date
    BOOL = "bool"  # oui/non, yes/no, 1/0, x
    CHOICE = "choice"  # enum value or its label in French or English
    INT = "int"
    COUNTRY = "country"  # `FR`, `France`, `Belgique` → ISO code
    CURRENCY = "currency"  # `EUR`, `€`, `euros` → ISO code
    PHONE = "phone"  # parsed by domain.phones, never blocking


@dataclass(frozen=True)
class FieldSpec:
    name: str
    read: Read
    aliases: tuple[str, ...]
    required: bool = False
    choices: type[StrEnum] | None = None
    distinct: bool = False  # validate each distinct value once (few distinct values)
    lines: bool = False  # line breaks in a cell (Excel's Alt+Enter) are joined with ", "


@dataclass(frozen=True)
class KindSpec:
    kind: ImportKind
    model: type[BaseModel]
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec:
        return next(spec for spec in self.fields if spec.name == name)


_DEBTOR_REF = (
    "code client", "client", "ref client", "reference client", "n client", "compte client",
    "code tiers", "tiers", "n tiers", "customer code", "customer id", "customer",
    "customer reference", "customer n", "client code", "client id", "account", "account n",
    "debtor", "debtor reference", "debtor code",
)  # fmt: skip
_INVOICE_NUMBER = (
    "n facture", "facture", "ref facture", "reference facture", "n piece", "piece",
    "invoice n", "invoice", "invoice id", "invoice reference", "invoice ref",
)  # fmt: skip

INVOICES = KindSpec(
    ImportKind.INVOICES,
    Invoice,
    (
        FieldSpec("number", Read.TEXT, _INVOICE_NUMBER, required=True),
        FieldSpec("debtor_reference", Read.TEXT, _DEBTOR_REF, required=True, distinct=True),
        FieldSpec(
            "po_reference",
            Read.TEXT,
            (
                "n commande",
                "commande",
                "bon commande",
                "ref commande",
                "reference commande",
                "po",
                "po n",
                "purchase order",
                "purchase order n",
                "order n",
                "order",
            ),
        ),
        FieldSpec(
            "contract_reference",
            Read.OPTIONAL,
            (
                "contrat",
                "n contrat",
                "ref contrat",
                "reference contrat",
                "contract",
                "contract n",
                "contract reference",
            ),
            distinct=True,
        ),
        FieldSpec(
            "issue_date",
            Read.DATE,
            (
                "date facture",
                "date emission",
                "date",
                "date piece",
                "invoice date",
                "issue date",
                "date issue",
            ),
            required=True,
            distinct=True,
        ),
        FieldSpec(
            "due_date",
            Read.DATE,
            (
                "date echeance",
                "echeance",
                "date limite paiement",
                "date limite reglement",
                "due date",
                "due",
                "payment due date",
                "due on",
            ),
            required=True,
            distinct=True,
        ),
        FieldSpec(
            "amount",
            Read.AMOUNT,
            (
                "montant ttc",
                "montant",
                "total ttc",
                "ttc",
                "montant facture",
                "net a payer",
                "amount",
                "total",
                "amount incl vat",
                "total incl vat",
                "invoice amount",
                "gross amount",
            ),
            required=True,
        ),
        FieldSpec(
            "outstanding",
            Read.AMOUNT,
            (
                "reste du",
                "reste a payer",
                "restant du",
                "solde",
                "solde du",
                "montant du",
                "reste",
                "outstanding",
                "outstanding amount",
                "balance",
                "balance due",
                "amount due",
                "open amount",
                "remaining",
            ),
        ),
        FieldSpec("currency", Read.CURRENCY, ("devise", "monnaie", "currency"), distinct=True),
    ),
)

DEBTORS = KindSpec(
    ImportKind.DEBTORS,
    Debtor,
    (
        FieldSpec("reference", Read.TEXT, _DEBTOR_REF, required=True),
        FieldSpec(
            "legal_name",
            Read.TEXT,
            (
                "raison sociale",
                "nom",
                "nom client",
                "societe",
                "denomination",
                "entreprise",
                "legal name",
                "company",
                "company name",
                "name",
                "customer name",
                "client name",
            ),
            required=True,
        ),
        FieldSpec("siren", Read.OPTIONAL, ("siren", "n siren", "siren n")),
        FieldSpec("siret", Read.OPTIONAL, ("siret", "n siret", "siret n")),
        FieldSpec(
            "segment",
            Read.CHOICE,
            ("segment", "type client", "categorie", "categorie client", "customer type"),
            choices=Segment,
            distinct=True,
        ),
        FieldSpec(
            "payer_type",
            Read.CHOICE,
            ("type payeur", "profil payeur", "payeur", "payer type", "payer profile"),
            choices=PayerType,
            distinct=True,
        ),
        FieldSpec(
            "strategic",
            Read.BOOL,
            ("strategique", "client strategique", "strategic", "key account"),
            distinct=True,
        ),
        FieldSpec(
            "risk_score",
            Read.INT,
            ("score risque", "risque", "note risque", "risk score", "risk"),
            distinct=True,
        ),
        FieldSpec(
            "address",
            Read.TEXT,
            ("adresse", "adresse 1", "rue", "address", "street"),
            lines=True,  # an address cell on several lines is how Excel writes one
        ),
        FieldSpec(
            "postal_code",
            Read.TEXT,
            ("code postal", "cp", "postal code", "zip", "zip code", "postcode"),
        ),
        FieldSpec("city", Read.TEXT, ("ville", "commune", "localite", "city", "town")),
        FieldSpec(
            "country",
            Read.COUNTRY,
            ("pays", "code pays", "country", "country code"),
            distinct=True,
        ),
    ),
)

CONTACTS = KindSpec(
    ImportKind.CONTACTS,
    Contact,
    (
        FieldSpec("debtor_reference", Read.TEXT, _DEBTOR_REF, required=True, distinct=True),
        FieldSpec(
            "name",
            Read.TEXT,
            (
                "nom",
                "nom contact",
                "contact",
                "interlocuteur",
                "nom prenom",
                "prenom nom",
                "name",
                "contact name",
                "full name",
            ),
            required=True,
        ),
        FieldSpec(
            "role",
            Read.CHOICE,
            ("fonction", "role", "poste", "service", "function", "job title", "title", "position"),
            choices=ContactRole,
            distinct=True,
        ),
        FieldSpec(
            "phone",
            Read.PHONE,
            (
                "telephone",
                "tel",
                "telephone fixe",
                "fixe",
                "tel fixe",
                "telephone 1",
                "phone",
                "phone n",
                "landline",
                "telephone n",
                "tel n",
            ),
        ),
        FieldSpec(
            "mobile",
            Read.PHONE,
            (
                "mobile",
                "portable",
                "tel mobile",
                "telephone mobile",
                "tel portable",
                "telephone portable",
                "gsm",
                "telephone 2",
                "cell",
                "cellphone",
                "mobile phone",
            ),
        ),
        FieldSpec(
            "email",
            Read.TEXT,
            (
                "e mail",
                "email",
                "mail",
                "courriel",
                "adresse mail",
                "adresse e mail",
                "adresse email",
                "email address",
                "e mail address",
            ),
        ),
        FieldSpec(
            "preferred_channel",
            Read.CHOICE,
            ("canal prefere", "canal", "canal contact", "preferred channel", "channel"),
            choices=Channel,
            distinct=True,
        ),
        FieldSpec(
            "opposed_to_contact",
            Read.BOOL,
            (
                "opposition",
                "opposition demarchage",
                "opposition contact",
                "ne pas contacter",
                "opposed",
                "opt out",
                "do not contact",
            ),
            distinct=True,
        ),
    ),
)

PAYMENTS = KindSpec(
    ImportKind.PAYMENTS,
    Payment,
    (
        FieldSpec("debtor_reference", Read.OPTIONAL, _DEBTOR_REF, distinct=True),
        FieldSpec("invoice_number", Read.OPTIONAL, _INVOICE_NUMBER),
        FieldSpec(
            "received_on",
            Read.DATE,
            (
                "date reglement",
                "date paiement",
                "date encaissement",
                "date valeur",
                "date operation",
                "date",
                "payment date",
                "received on",
                "value date",
                "paid on",
            ),
            required=True,
            distinct=True,
        ),
        FieldSpec(
            "amount",
            Read.AMOUNT,
            (
                "montant",
                "montant regle",
                "montant paye",
                "montant encaisse",
                "credit",
                "montant reglement",
                "amount",
                "paid amount",
                "payment amount",
                "amount paid",
            ),
            required=True,
        ),
        FieldSpec(
            "reference",
            Read.TEXT,
            (
                "reference",
                "ref",
                "ref paiement",
                "reference paiement",
                "ref reglement",
                "reference reglement",
                "n operation",
                "n reglement",
                "payment reference",
                "transaction id",
                "transaction reference",
            ),
        ),
        FieldSpec(
            "method",
            Read.TEXT,
            (
                "mode reglement",
                "mode paiement",
                "moyen paiement",
                "type reglement",
                "payment method",
                "method",
            ),
        ),
        FieldSpec(
            "bank_label",
            Read.TEXT,
            (
                "libelle bancaire",
                "libelle",
                "libelle operation",
                "bank label",
                "label",
                "description",
            ),
        ),
    ),
)

KINDS: dict[ImportKind, KindSpec] = {
    spec.kind: spec for spec in (INVOICES, DEBTORS, CONTACTS, PAYMENTS)
}

# The label of each field in messages (locales/*/import.toml).
FIELD_LABEL_KEYS: dict[tuple[str, str], str] = {
    (ImportKind.INVOICES, "number"): "import.field.invoices.number",
    (ImportKind.INVOICES, "debtor_reference"): "import.field.invoices.debtor_reference",
    (ImportKind.INVOICES, "po_reference"): "import.field.invoices.po_reference",
    (ImportKind.INVOICES, "contract_reference"): "import.field.invoices.contract_reference",
    (ImportKind.INVOICES, "issue_date"): "import.field.invoices.issue_date",
    (ImportKind.INVOICES, "due_date"): "import.field.invoices.due_date",
    (ImportKind.INVOICES, "amount"): "import.field.invoices.amount",
    (ImportKind.INVOICES, "outstanding"): "import.field.invoices.outstanding",
    (ImportKind.INVOICES, "currency"): "import.field.invoices.currency",
    (ImportKind.DEBTORS, "reference"): "import.field.debtors.reference",
    (ImportKind.DEBTORS, "legal_name"): "import.field.debtors.legal_name",
    (ImportKind.DEBTORS, "siren"): "import.field.debtors.siren",
    (ImportKind.DEBTORS, "siret"): "import.field.debtors.siret",
    (ImportKind.DEBTORS, "segment"): "import.field.debtors.segment",
    (ImportKind.DEBTORS, "payer_type"): "import.field.debtors.payer_type",
    (ImportKind.DEBTORS, "strategic"): "import.field.debtors.strategic",
    (ImportKind.DEBTORS, "risk_score"): "import.field.debtors.risk_score",
    (ImportKind.DEBTORS, "address"): "import.field.debtors.address",
    (ImportKind.DEBTORS, "postal_code"): "import.field.debtors.postal_code",
    (ImportKind.DEBTORS, "city"): "import.field.debtors.city",
    (ImportKind.DEBTORS, "country"): "import.field.debtors.country",
    (ImportKind.CONTACTS, "debtor_reference"): "import.field.contacts.debtor_reference",
    (ImportKind.CONTACTS, "name"): "import.field.contacts.name",
    (ImportKind.CONTACTS, "role"): "import.field.contacts.role",
    (ImportKind.CONTACTS, "phone"): "import.field.contacts.phone",
    (ImportKind.CONTACTS, "mobile"): "import.field.contacts.mobile",
    (ImportKind.CONTACTS, "email"): "import.field.contacts.email",
    (ImportKind.CONTACTS, "preferred_channel"): "import.field.contacts.preferred_channel",
    (ImportKind.CONTACTS, "opposed_to_contact"): "import.field.contacts.opposed_to_contact",
    (ImportKind.PAYMENTS, "debtor_reference"): "import.field.payments.debtor_reference",
    (ImportKind.PAYMENTS, "invoice_number"): "import.field.payments.invoice_number",
    (ImportKind.PAYMENTS, "received_on"): "import.field.payments.received_on",
    (ImportKind.PAYMENTS, "amount"): "import.field.payments.amount",
    (ImportKind.PAYMENTS, "reference"): "import.field.payments.reference",
    (ImportKind.PAYMENTS, "method"): "import.field.payments.method",
    (ImportKind.PAYMENTS, "bank_label"): "import.field.payments.bank_label",
}

# The enums whose values agents may write as their label (locales/*/core.toml).
_CHOICE_LABEL_KEYS: dict[type[StrEnum], dict[str, str]] = {
    Segment: SEGMENT_KEYS,
    PayerType: PAYER_TYPE_KEYS,
    ContactRole: CONTACT_ROLE_KEYS,
}
_EXTRA_LABELS: dict[type[StrEnum], dict[str, str]] = {
    Channel: {
        "telephone": "phone", "tel": "phone", "appel": "phone", "phone": "phone",
        "e mail": "email", "email": "email", "mail": "email", "courriel": "email",
        "sms": "sms", "texto": "sms", "text": "sms",
        "courrier": "letter", "lettre": "letter", "letter": "letter", "post": "letter",
    },
    Segment: {"grand compte": "large_account", "multisite": "multi_site", "pme": "sme",
              "public": "public_body", "particulier": "consumer", "b2c": "consumer"},
    ContactRole: {"compta fournisseurs": "accounts_payable", "daf": "finance_director",
                  "comptabilite": "accounts_payable", "achats": "buyer"},
}  # fmt: skip


@cache
def choice_labels(enum: type[StrEnum]) -> dict[str, str]:
    """Normalised label → enum value: the values, their labels in both languages, synonyms."""
    labels = {normalise_label(member.value): member.value for member in enum}
    if enum in _CHOICE_LABEL_KEYS:
        for language in ("en", "fr"):
            for member in enum:
                label = t_in(language, _CHOICE_LABEL_KEYS[enum][member])
                labels[normalise_label(label)] = member.value
    labels.update(_EXTRA_LABELS.get(enum, {}))
    return labels


def choice_display(enum: type[StrEnum]) -> str:
    if enum in _CHOICE_LABEL_KEYS:
        return ", ".join(t_in("fr", _CHOICE_LABEL_KEYS[enum][member]) for member in enum)
    return ", ".join(member.value for member in enum)


@cache
def country_codes() -> dict[str, str]:
    """Normalised country name (French or English) or code → ISO 3166 alpha-2 code."""
    # Deferred: not loaded until first used (start-up time).
    from babel import Locale

    codes: dict[str, str] = {}
    for language in ("en", "fr"):
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                codes[normalise_label(name)] = code
                codes[code.lower()] = code
    return codes


@dataclass(frozen=True)
class FieldDescription:
    name: str  # what --map takes
    label: str
    required: bool
    headers: tuple[str, ...]  # recognised as this field (any case, accents and spacing)
    values: str  # the accepted values of a choice, else ""


def describe_fields(kind: ImportKind) -> list[FieldDescription]:
    """The fields of a kind, for `relance import --list-fields KIND`."""
    spec = KINDS[kind]
    return [
        FieldDescription(
            name=field.name,
            label=t(FIELD_LABEL_KEYS[(kind, field.name)]),
            required=field.required,
            headers=field.aliases,
            values=choice_display(field.choices) if field.choices else "",
        )
        for field in spec.fields
    ]
