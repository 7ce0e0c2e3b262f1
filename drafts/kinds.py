"""What each kind of draft may hold: the fields of its form, and no more text than the form
takes (mash.limits, through the forms). A draft is checked against these before it is stored,
so an autosave can never park more, or other, data than the form itself would accept."""

import json

from django.core.exceptions import ValidationError

from mash.limits import Limit, too_long_message

from .models import DraftKind

#: A whole MARF draft as stored (JSON): ten people and ten others, every answer at its limit,
#: with room for JSON's escaping. Each answer is also held to its own question's limit.
MARF_DRAFT = Limit(200_000)
#: An answer with no limit of its own (a choice's value, an ISO date): far more than any takes.
SHORT_ANSWER = Limit(100)
#: The names a page posts that are not answers (never stored).
PAGE_FIELDS = frozenset({"csrfmiddlewaretoken", "submission_token"})


def _too_long(path: str, label: str, max_length: int) -> ValidationError:
    return ValidationError({path: too_long_message(label, max_length)})


def _check_text(path: str, label: str, value, max_length: int) -> None:
    if not isinstance(value, str):
        raise ValidationError({path: f"{label} must be text"})
    if len(value) > max_length:
        raise _too_long(path, label, max_length)


# --- Returns --------------------------------------------------------------------------------


def return_fields() -> dict:
    """The return form's fields by name (the form is the one the request page shows)."""
    from enquiries.forms_agency import ReturnForm

    return dict(ReturnForm.base_fields)


def validate_return(data: dict) -> dict:
    """The return draft to store: each field of the return form, as typed (text within its
    limit, a choice among its choices, or empty). ValidationError naming the first bad field."""
    from django import forms

    fields = return_fields()
    cleaned = {}
    for name, value in data.items():
        field = fields.get(name)
        if field is None:
            raise ValidationError({name: f"{name} is not a question of the return"})
        label = str(field.label)
        if isinstance(field, forms.ChoiceField):
            _check_text(name, label, value, SHORT_ANSWER.max_length)
            allowed = {str(key) for key, _ in field.choices} | {""}
            if value not in allowed:
                raise ValidationError({name: f"{label}: choose one of the options"})
        else:
            _check_text(name, label, value, field.max_length or SHORT_ANSWER.max_length)
        cleaned[name] = value
    return cleaned


# --- MARF -----------------------------------------------------------------------------------


def _check_answers(path: str, section, answers, *, nested=None) -> None:
    """One section's answers (a dict): only its questions, each within its limit."""
    from contacts.forms_marf import question_max_length

    if not isinstance(answers, dict):
        raise ValidationError({path: f"{section.title} must be a set of answers"})
    questions = {question.name: question for question in section.questions}
    for name, value in answers.items():
        where = f"{path}.{name}"
        if nested is not None and name == nested[0]:
            _check_rows(where, nested[1], value, nested[2])
            continue
        question = questions.get(name)
        if question is None:
            raise ValidationError({where: f"{name} is not a question of {section.title}"})
        limit = question_max_length(question) or SHORT_ANSWER.max_length
        if isinstance(value, list):  # the boxes ticked
            if len(value) > max(len(question.choices), 1):
                raise ValidationError({where: f"{question.label}: too many answers"})
            for item in value:
                _check_text(where, question.label, item, SHORT_ANSWER.max_length)
        else:
            _check_text(where, question.label, value, limit)


def _check_rows(path: str, section, rows, most: int) -> None:
    if not isinstance(rows, list):
        raise ValidationError({path: f"{section.title} must be a list"})
    if len(rows) > most:
        raise ValidationError({path: f"{section.title}: no more than {most}"})
    for index, row in enumerate(rows):
        _check_answers(f"{path}[{index}]", section, row)


def validate_marf(data: dict) -> dict:
    """The MARF draft to store: answers by section (as the form's pages keep them), only the
    form's questions, each within its limit, and the whole within MARF_DRAFT."""
    from contacts.marf import HOUSEHOLD, MAX_OTHERS, MAX_PEOPLE, OTHER_PERSON, PEOPLE, SECTIONS

    sections = {section.key: section for section in SECTIONS}
    for key, answers in data.items():
        section = sections.get(key)
        if section is None:
            raise ValidationError({key: f"{key} is not a page of the referral form"})
        if section is PEOPLE:
            _check_rows(key, section, answers, MAX_PEOPLE)
        elif section is HOUSEHOLD:
            nested = (OTHER_PERSON.key, OTHER_PERSON, MAX_OTHERS)
            _check_answers(key, section, answers, nested=nested)
        else:
            _check_answers(key, section, answers)
    size = len(json.dumps(data, ensure_ascii=False))
    if size > MARF_DRAFT.max_length:
        raise _too_long("data", "The referral", MARF_DRAFT.max_length)
    return data


VALIDATORS = {DraftKind.MARF: validate_marf, DraftKind.RETURN: validate_return}


def validate(kind: str, data) -> dict:
    """The draft's data, checked for `kind`; ValidationError naming the field otherwise."""
    if not isinstance(data, dict):
        raise ValidationError({"data": "A draft must be a set of answers"})
    return VALIDATORS[DraftKind(kind)](data)
