from relance_tui.domain.notes_check import NoteCategory, check_notes, fold, parse_word_list


def categories(text: str) -> list[tuple[str, NoteCategory]]:
    return [(f.word, f.category) for f in check_notes(text)]


def test_clean_collection_notes_pass() -> None:
    for note in (
        "Client maladroit avec son logiciel de paiement, facture renvoyée par e-mail.",
        "Contrat signé, bon de commande 4500012 manquant, attend validation du mandat.",
        "Il opère dans le BTP ; capital détenu par la holding. Incapable de payer avant le 30.",
        "Promesse de 1 200 € au 30/11, confirmation écrite demandée.",
        "",
    ):
        assert check_notes(note) == (), note


def test_forbidden_words_with_their_category_and_position() -> None:
    note = "Le gérant est MALADE, hospitalisé ; un vrai escroc, de Mauvaise  Foi."
    findings = check_notes(note)
    assert [(f.word, f.category) for f in findings] == [
        ("MALADE", NoteCategory.HEALTH),
        ("hospitalisé", NoteCategory.HEALTH),
        ("escroc", NoteCategory.OFFENCE),
        ("Mauvaise  Foi", NoteCategory.JUDGMENT),
    ]
    for finding in findings:
        assert note[finding.start : finding.end] == finding.word


def test_accents_case_hyphens_and_stems() -> None:
    assert categories("HÔPITAL") == [("HÔPITAL", NoteCategory.HEALTH)]
    assert categories("en burn-out depuis mars") == [("burn-out", NoteCategory.HEALTH)]
    assert categories("traitement cancéreux") == [("cancéreux", NoteCategory.HEALTH)]
    assert categories("quel connard") == [("connard", NoteCategory.INSULT)]
    assert categories("contrat, condition, contact") == []


def test_english_list_is_checked_too() -> None:
    assert categories("The owner is a liar and was in jail") == [
        ("liar", NoteCategory.JUDGMENT),
        ("jail", NoteCategory.OFFENCE),
    ]
    assert check_notes("sick", languages=("fr",)) == ()


def test_fold_maps_back_to_the_original_text() -> None:
    folded, index = fold("Éte\u0301")  # É and a decomposed é
    assert folded == "ete"
    assert index == [0, 1, 2]


def test_word_list_format_is_checked() -> None:
    terms = parse_word_list("# comment\n[health]\nmalade\ncancer*\n[judgment]\nmauvaise foi\n")
    assert [(t.words, t.category, t.stem) for t in terms] == [
        (("malade",), NoteCategory.HEALTH, False),
        (("cancer",), NoteCategory.HEALTH, True),
        (("mauvaise", "foi"), NoteCategory.JUDGMENT, False),
    ]
    for bad in ("malade\n", "[nope]\nmalade\n"):
        try:
            parse_word_list(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
