"""Header presets: the columns of the usual French tools' exports, read without `--map`.

Each preset says, for one tool and one import kind, which of its export's columns holds which of
our fields. A file is recognised by its headers: every header of a preset's `signature` is there
(compared as `read.normalise_label` writes them: any case, accents, spacing). `--preset NAME`
forces one. `--map` still wins, field by field, over a preset.

The columns are those the tools' standard list exports carry in their French versions (Sage 100's
and Cegid's database field names, the others' column titles), as far as we know them; a tool's
new version may rename one: this table is the one place to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from relance_tui.i18n import t
from relance_tui.services.importing.fields import ImportKind
from relance_tui.services.importing.opening import ImportFileError
from relance_tui.services.importing.read import normalise_label

DEBTORS, CONTACTS = ImportKind.DEBTORS, ImportKind.CONTACTS
INVOICES, PAYMENTS = ImportKind.INVOICES, ImportKind.PAYMENTS


@dataclass(frozen=True)
class Preset:
    name: str  # what --preset takes
    tool: str  # as the report names it
    kind: ImportKind
    columns: tuple[tuple[str, str], ...]  # (field, header as the tool writes it)
    signature: tuple[str, ...]  # headers that together say it is this tool's export

    @property
    def normalised_signature(self) -> frozenset[str]:
        return frozenset(normalise_label(header) for header in self.signature)


def _preset(
    name: str, tool: str, kind: ImportKind, columns: dict[str, str], signature: Sequence[str]
) -> Preset:
    return Preset(name, tool, kind, tuple(columns.items()), tuple(signature))


PRESETS: tuple[Preset, ...] = (
    # Sage 100 (Gestion commerciale, Comptabilité): its tables' field names (F_COMPTET,
    # F_DOCENTETE with the due date of F_DOCREGL, F_CREGLEMENT).
    _preset("sage", "Sage 100", DEBTORS, {
        "reference": "CT_Num", "legal_name": "CT_Intitule", "address": "CT_Adresse",
        "postal_code": "CT_CodePostal", "city": "CT_Ville", "country": "CT_Pays",
        "siret": "CT_Siret",
    }, ["CT_Num", "CT_Intitule"]),
    _preset("sage", "Sage 100", INVOICES, {
        "number": "DO_Piece", "debtor_reference": "DO_Tiers", "issue_date": "DO_Date",
        "due_date": "DR_Date", "amount": "DO_TotalTTC", "po_reference": "DO_Ref",
    }, ["DO_Piece", "DO_Tiers", "DO_TotalTTC"]),
    _preset("sage", "Sage 100", PAYMENTS, {
        "debtor_reference": "CT_NumPayeur", "received_on": "RG_Date", "amount": "RG_Montant",
        "reference": "RG_Reference", "bank_label": "RG_Libelle",
    }, ["CT_NumPayeur", "RG_Date", "RG_Montant"]),
    # Cegid (Business, XRP): its tables' field names (TIERS, ECRITURE's customer due lines).
    _preset("cegid", "Cegid", DEBTORS, {
        "reference": "T_AUXILIAIRE", "legal_name": "T_LIBELLE", "address": "T_ADRESSE1",
        "postal_code": "T_CODEPOSTAL", "city": "T_VILLE", "siret": "T_SIRET",
    }, ["T_AUXILIAIRE", "T_LIBELLE"]),
    _preset("cegid", "Cegid", INVOICES, {
        "number": "E_REFINTERNE", "debtor_reference": "E_AUXILIAIRE",
        "issue_date": "E_DATECOMPTABLE", "due_date": "E_DATEECHEANCE", "amount": "E_DEBIT",
    }, ["E_REFINTERNE", "E_AUXILIAIRE", "E_DATEECHEANCE", "E_DEBIT"]),
    _preset("cegid", "Cegid", PAYMENTS, {
        "debtor_reference": "E_AUXILIAIRE", "received_on": "E_DATECOMPTABLE",
        "amount": "E_CREDIT", "reference": "E_REFINTERNE", "bank_label": "E_LIBELLE",
        "method": "E_MODEPAIE",
    }, ["E_AUXILIAIRE", "E_CREDIT", "E_MODEPAIE"]),
    # EBP (Gestion commerciale, Compta): the list exports' column titles.
    _preset("ebp", "EBP", DEBTORS, {
        "reference": "Code", "legal_name": "Nom", "address": "Adresse 1",
        "postal_code": "Code postal", "city": "Ville", "country": "Pays", "siret": "SIRET",
    }, ["Code", "Nom", "Adresse 1", "Civilité"]),
    _preset("ebp", "EBP", INVOICES, {
        "number": "N° document", "debtor_reference": "Code client",
        "issue_date": "Date document", "due_date": "Date d'échéance",
        "amount": "Net à payer TTC", "outstanding": "Reste dû",
    }, ["N° document", "Date document", "Net à payer TTC"]),
    _preset("ebp", "EBP", PAYMENTS, {
        "debtor_reference": "Code client", "received_on": "Date de règlement",
        "amount": "Montant réglé", "method": "Mode de règlement", "reference": "N° règlement",
        "invoice_number": "N° document",
    }, ["N° règlement", "Date de règlement", "Montant réglé"]),
    # Pennylane: its customer and customer invoice exports.
    _preset("pennylane", "Pennylane", DEBTORS, {
        "reference": "Référence client", "legal_name": "Nom", "siren": "SIREN",
        "address": "Adresse", "postal_code": "Code postal", "city": "Ville", "country": "Pays",
    }, ["Référence client", "Nom", "SIREN"]),
    _preset("pennylane", "Pennylane", INVOICES, {
        "number": "Numéro de facture", "debtor_reference": "Référence client",
        "issue_date": "Date de facturation", "due_date": "Date d'échéance",
        "amount": "Montant TTC", "outstanding": "Reste à payer", "currency": "Devise",
    }, ["Numéro de facture", "Date de facturation", "Reste à payer", "Référence client"]),
    # Odoo: the export of contacts (res.partner), invoices (account.move) and payments, French
    # field labels; the customer is its "Référence", exported as a sub-field (Partenaire/…).
    _preset("odoo", "Odoo", DEBTORS, {
        "reference": "Référence", "legal_name": "Nom", "address": "Rue",
        "postal_code": "Code postal", "city": "Ville", "country": "Pays", "siret": "SIRET",
    }, ["Référence", "Nom", "Rue", "Rue 2"]),
    _preset("odoo", "Odoo", CONTACTS, {
        "debtor_reference": "Société liée/Référence", "name": "Nom", "phone": "Téléphone",
        "mobile": "Mobile", "email": "Courriel",
    }, ["Société liée/Référence", "Nom"]),
    _preset("odoo", "Odoo", INVOICES, {
        "number": "Numéro", "debtor_reference": "Partenaire/Référence",
        "issue_date": "Date de facturation", "due_date": "Date d'échéance", "amount": "Total",
        "outstanding": "Montant dû", "currency": "Devise", "po_reference": "Référence",
    }, ["Numéro", "Partenaire/Référence", "Date de facturation", "Montant dû"]),
    _preset("odoo", "Odoo", PAYMENTS, {
        "debtor_reference": "Partenaire/Référence", "received_on": "Date", "amount": "Montant",
        "reference": "Numéro", "bank_label": "Mémo",
    }, ["Partenaire/Référence", "Date", "Montant", "Mémo"]),
    # QuickBooks (France): its customer list and transaction reports; a customer is known by
    # its display name ("Client"), which is then our reference.
    _preset("quickbooks", "QuickBooks", DEBTORS, {
        "reference": "Client", "legal_name": "Nom de l'entreprise",
        "address": "Rue de facturation", "postal_code": "Code postal de facturation",
        "city": "Ville de facturation", "country": "Pays de facturation", "siret": "SIRET",
    }, ["Client", "Nom de l'entreprise", "Rue de facturation"]),
    _preset("quickbooks", "QuickBooks", INVOICES, {
        "number": "N°", "debtor_reference": "Client", "issue_date": "Date",
        "due_date": "Date d'échéance", "amount": "Montant", "outstanding": "Solde ouvert",
    }, ["Type de transaction", "N°", "Client", "Solde ouvert"]),
    _preset("quickbooks", "QuickBooks", PAYMENTS, {
        "debtor_reference": "Client", "received_on": "Date", "amount": "Montant",
        "reference": "N°", "method": "Mode de paiement", "bank_label": "Mémo/Description",
    }, ["Type de transaction", "Client", "Mode de paiement"]),
)  # fmt: skip

NAMES: tuple[str, ...] = tuple(dict.fromkeys(preset.name for preset in PRESETS))


def recognise(headers: Sequence[str], kinds: Sequence[ImportKind]) -> Preset | None:
    """The preset of one of `kinds` whose signature the headers carry; of several, the one
    that names the most of the file's columns."""
    present = {normalise_label(header) for header in headers}
    found = [p for p in PRESETS if p.kind in kinds and p.normalised_signature <= present]
    if not found:
        return None
    return max(found, key=lambda p: sum(normalise_label(h) in present for _, h in p.columns))


def forced(name: str, kind: ImportKind, headers: Sequence[str], file_name: str) -> Preset:
    """`--preset NAME` for this kind; raises ImportFileError when it has none or the file does
    not carry its columns."""
    preset = next((p for p in PRESETS if p.name == name and p.kind == kind), None)
    if preset is None:
        kinds = ", ".join(p.kind.value for p in PRESETS if p.name == name)
        raise ImportFileError(
            t("presets.no_such", name=name, kind=kind.value, kinds=kinds or "-",
              names=", ".join(NAMES))
        )  # fmt: skip
    present = {normalise_label(header) for header in headers}
    missing = [h for h in preset.signature if normalise_label(h) not in present]
    if missing:
        raise ImportFileError(
            t("presets.columns_missing", file=file_name, tool=preset.tool,
              missing=", ".join(missing), headers=" | ".join(headers))
        )  # fmt: skip
    return preset


def mapping(preset: Preset, headers: Sequence[str]) -> dict[str, str]:
    """Field → header of the file, for the preset's columns the file has."""
    by_label = {normalise_label(header): header for header in headers}
    return {
        field: by_label[normalise_label(header)]
        for field, header in preset.columns
        if normalise_label(header) in by_label
    }


@cache
def described() -> list[tuple[str, str, str]]:
    """(name, kind, columns) of every preset, for `--list-fields`."""
    return [(p.name, p.kind.value, ", ".join(h for _, h in p.columns)) for p in PRESETS]
