"""Translated messages for domain error codes.  The domain speaks in codes; people read these."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from common.errors import DomainError

MESSAGES = {
    "auth.invalid": _l("The e-mail address or the password is not correct."),
    "auth.locked": _l("Too many failed attempts: this account is locked until %(until)s. "
                      "You can reset your password by e-mail."),
    "password.too_short": _l("The password must have at least 10 characters."),
    "password.too_long": _l("The password must have at most 256 characters."),
    "password.too_common": _l("This password is too easy to guess. Choose a longer, less common one."),
    "password.same_as_login": _l("The password must not be your e-mail address."),
    "password.current_wrong": _l("The current password is not correct."),
    "password.unchanged": _l("The new password must differ from the current one."),
    "password.mismatch": _l("The two passwords do not match."),
    "reset.token_invalid": _l("This reset link is not valid any more. Ask for a new one."),
    "user.email_invalid": _l("This is not a valid e-mail address."),
    "user.email_taken": _l("An account with this e-mail address already exists."),
    "user.employer_binding": _l("Employer accounts must belong to one employer; staff accounts to none."),
    "user.locale_unknown": _l("This language is not available."),
    "period.invalid": _l("Write the period as year and month, for example 2026-03."),
    "token.invalid": _l("This link is not valid any more: it was used already or has expired."),
    "field.required": _l("This field is required."),
    "field.too_long": _l("This text is too long."),
    "employer.latin_required": _l("Write this name in Latin letters."),
    "employer.tax_number_invalid": _l("The tax identification number must have 5 to 30 letters or digits."),
    "employer.tax_number_taken": _l("An employer with the tax identification number %(tax_number)s is already "
                                    "registered or has applied. If it is yours, contact the institution."),
    "employer.category_unknown": _l("Choose a category of the chosen country's scheme."),
    "employer.region_unknown": _l("Choose a province or district of the chosen country."),
    "employer.sector_unknown": _l("Choose a sector from the list."),
    "employer.language_unknown": _l("Choose a language from the list."),
    "employer.scheme_unknown": _l("Choose a country and scheme from the list."),
    "employer.not_found": _l("This employer does not exist."),
    "employer.not_pending": _l("This application has already been decided."),
    "employer.not_active": _l("This employer is not active."),
    "employer.status_change_not_allowed": _l("This status change is not allowed."),
    "employer.ceased_on_invalid": _l("Give the date of cessation; it cannot be before the registration."),
    "employer.application_invalid": _l("Some fields need correcting; see the messages below."),
    "contact.phone_invalid": _l("Write the phone number with 7 to 15 digits, for example +856 21 212 345."),
    "contact.email_invalid": _l("This is not a valid e-mail address."),
    "review.comment_required": _l("Write what the applicant must change."),
    "review.reason_required": _l("Write the reason for the rejection."),
    "profile.valid_from_invalid": _l("The date must be between the registration date and today."),
    "field.date_invalid": _l("Write the date as year-month-day, for example 2026-03-15."),
    "person.document_type_unknown": _l("Choose a document type from the list."),
    "person.document_number_invalid": _l("The document number must have 4 to 40 letters or digits."),
    "person.country_invalid": _l("Write the country as two capital letters, for example LA or TJ."),
    "person.sex_unknown": _l("Write F or M."),
    "person.identity_mismatch": _l("This document number is registered to a person with another name or date of "
                                   "birth. Check the document."),
    "person.born_in_future": _l("The date of birth cannot be in the future."),
    "person.too_old": _l("This date of birth is more than 100 years ago."),
    "employment.before_registration": _l("The hire date is before the employer's registration."),
    "employment.under_working_age": _l("On this hire date the person would be younger than the minimum working age."),
    "employment.contract_type_unknown": _l("Choose a contract type from the list."),
    "employment.wage_invalid": _l("Write the wage as a positive number, with no more decimals than the currency has."),
    "employment.ends_before_start": _l("The last day of work cannot be before the hire date."),
    "employment.end_reason_unknown": _l("Choose the reason from the list."),
    "employment.overlaps": _l("This person already works for this employer at that date (since %(hired_on)s)."),
    "employment.already_ended": _l("This employment has already ended."),
    "employment.not_found": _l("This employment does not exist."),
    "import.encoding": _l("The file is not in UTF-8. Save it as \"CSV UTF-8\" or as an Excel workbook (.xlsx)."),
    "import.file_unreadable": _l("The file cannot be read. Use the template, saved as CSV UTF-8 or .xlsx."),
    "import.empty": _l("The file is empty."),
    "import.too_large": _l("The file is larger than %(megabytes)d MB. Split it into several files."),
    "import.too_many_rows": _l("The file has more than %(limit)d rows. Split it into several files."),
    "import.columns_missing": _l("These columns are missing: %(columns)s. Use the template."),
    "import.macros_not_allowed": _l("Workbooks with macros are not accepted. Save it as a plain .xlsx workbook."),
    "import.formula_not_allowed": _l("Row %(row)d, column %(column)d contains a formula. Replace formulas by values."),
    "import.action_unknown": _l("Write hire or leave."),
    "import.duplicate_row": _l("This person is already in row %(row)d of the file."),
    "import.no_open_employment": _l("This person does not currently work for this employer."),
    "import.already_decided": _l("This file has already been imported or discarded."),
    "duplicate.not_found": _l("This case has already been decided."),
    "duplicate.decision_unknown": _l("Choose one of the two decisions."),
    "declaration.not_found": _l("This declaration does not exist."),
    "declaration.period_future": _l("The period %(period)s has not started yet: it can be declared from its first "
                                    "day."),
    "declaration.period_before_registration": _l("%(period)s is before the employer's registration (%(registered)s): "
                                                 "it cannot be declared here. Contact the institution."),
    "declaration.period_after_cessation": _l("%(period)s is after the employer ceased activity."),
    "declaration.lines_invalid": _l("Some lines need correcting (%(count)d); nothing was saved. See the messages "
                                    "next to the lines."),
    "declaration.already_filed": _l("This declaration was already filed (receipt %(receipt)s)."),
    "declaration.changed": _l("The draft was changed in the meantime, perhaps in another window. Check it again "
                              "before filing."),
    "declaration.no_lines": _l("The declaration has no worker. If no wages were paid in the period, file a nil "
                               "declaration instead."),
    "declaration.nil_with_lines": _l("A nil declaration cannot have workers on it."),
    "declaration.worker_not_employed_any_more": _l("A worker on the draft is no longer employed in this period "
                                                   "according to the register. Open the draft and check it."),
    "declaration.nil_reason_required": _l("Write why no wages were paid in this period."),
    "declaration.ssn_unknown": _l("No person is registered with this social security number."),
    "declaration.not_employed": _l("This person did not work for this employer in %(period)s. Register the hire "
                                   "first, or check the dates of the employment."),
    "declaration.wage_invalid": _l("Write the gross wage as a number, with no more decimals than the currency has "
                                   "and no thousands separators other than commas or spaces."),
    "declaration.wage_negative": _l("The wage cannot be negative."),
    "declaration.days_invalid": _l("Write the days worked as a whole number from 0 to %(days)d."),
    "declaration.absence_reason_unknown": _l("Choose the absence reason from the list."),
    "declaration.absence_reason_required": _l("A wage of 0 needs the reason of the absence."),
    "declaration.duplicate_line": _l("This worker is already in row %(row)d."),
    "declaration.below_floor": _l("The wage is below the minimum base: the contributions are computed on the "
                                  "minimum base."),
    "declaration.draft_in_progress": _l("A draft with changes is open for this period. File it, or delete it "
                                        "before filing a nil declaration."),
    "declaration.worker_already_on": _l("This worker is already on the declaration."),
    "bank.empty": _l("The statement has no transaction."),
    "bank.format_unknown": _l("This is neither an ISO 20022 camt.053 or camt.054 statement nor a CSV file in this "
                              "bank's layout."),
    "bank.file_unreadable": _l("The statement file cannot be read: it is damaged or not a statement."),
    "bank.xml_forbidden": _l("The statement contains XML that is not allowed (a document type definition or "
                             "entities). Ask the bank for a plain camt file."),
    "bank.encoding": _l("The file is not in the bank's encoding (%(encoding)s)."),
    "bank.columns_missing": _l("These columns are missing: %(columns)s."),
    "bank.too_many_lines": _l("The statement has more than %(limit)d transactions. Split it into several files."),
    "bank.statement_invalid": _l("%(count)d transactions have problems; nothing was imported from this file."),
    "bank.currency_mismatch": _l("Row %(row)d is in %(currency)s, not in the scheme's currency."),
    "bank.amount_invalid": _l("Row %(row)d: the amount is not a valid amount."),
    "bank.amount_negative": _l("Row %(row)d is a debit or a negative amount: only money received can be imported."),
    "bank.date_invalid": _l("Row %(row)d: the date (%(field)s) cannot be read."),
    "bank.transaction_id_missing": _l("Row %(row)d has no bank transaction reference."),
    "bank.duplicate_in_file": _l("Row %(row)d repeats the transaction of row %(first_row)d."),
    "bank.reversal_entry": _l("Row %(row)d is a reversal by the bank: record it as a reversal of the payment "
                              "instead."),
    "bank.entry_not_booked": _l("Row %(row)d is not booked yet (%(status)s): import the statement once it is."),
    "bank.batch_total_mismatch": _l("Row %(row)d: the transactions of the batch (%(total)s) do not add up to its "
                                    "amount (%(amount)s)."),
    "bank.statement_already_imported": _l("This statement was already imported on %(date)s (import %(statement)s)."),
    "bank.unknown": _l("Choose a bank from the list."),
    "payment.not_found": _l("This payment does not exist."),
    "payment.reconciliation_failed": _l("The reconciliation stopped on an error; it is recorded in the list of "
                                        "runs. The payments matched before the error are kept."),
    "payment.credit_refunded": _l("Part of this payment's credit was refunded to the employer. Recover the refund "
                                  "before reversing or undoing the payment."),
    "bank.transaction_id_too_long": _l("Row %(row)d: the bank transaction reference is longer than %(limit)d "
                                       "characters."),
    "payment.not_unmatched": _l("This payment is no longer in the unmatched queue."),
    "payment.not_matched": _l("This payment is not matched to an employer."),
    "payment.employer_other_scheme": _l("This employer belongs to another scheme than the payment."),
    "payment.note_required": _l("Write a note saying why."),
    "payment.declaration_not_found": _l("This employer has no filed declaration with this number."),
    "payment.already_reversed": _l("This payment was already reversed."),
    "payment.channel_unknown": _l("Choose cash or cheque."),
    "payment.amount_invalid": _l("Write a positive amount, with no more decimals than the currency has."),
    "payment.value_date_future": _l("The date the money was received cannot be in the future."),
    "payment.refund_too_large": _l("The refund cannot be more than the employer's credit (%(available)s)."),
    "user.not_found": _l("This user does not exist."),
    "user.cannot_deactivate": _l("This account cannot be deactivated here."),
    "parameter.scheme_unknown": _l("Choose a scheme from the list."),
    "parameter.name_unknown": _l("Choose a parameter from the list."),
    "parameter.category_unknown": _l("Choose an employer category of this scheme, or none for every employer "
                                     "of the scheme."),
    "parameter.value_invalid": _l("This value is not valid for %(name)s. Check the format and the allowed range."),
    "parameter.source_required": _l("Give the legal source of the value: the law or decree, its article and date."),
    "parameter.confidence_unknown": _l("Choose from the list how certain the value is."),
    "parameter.version_exists": _l("A version of %(name)s from %(valid_from)s already exists. Versions are never "
                                   "edited: record a correction from a later date."),
    "parameter.period_declared": _l("Contributions for %(period)s have already been declared, and a declared "
                                    "period is never recomputed. The new version can take effect from "
                                    "%(first_day)s at the earliest."),
    "waiver.component_unknown": _l("Choose interest or fine."),
    "waiver.period_invalid": _l("Write the period as year and month, for example 2026-03."),
    "waiver.reason_required": _l("Give the reason for the waiver."),
    "waiver.note_required": _l("Give the reason for the decision."),
    "waiver.amount_invalid": _l("Write a positive amount, with no more decimals than the currency has."),
    "waiver.more_than_charged": _l("The waiver cannot be more than what is charged and not yet waived for this "
                                   "period (%(available)s)."),
    "waiver.not_found": _l("This waiver does not exist."),
    "waiver.already_decided": _l("This waiver has already been decided."),
    "waiver.second_person_required": _l("A waiver must be approved by a second person, not by the one who asked "
                                        "for it."),
    "certificate.not_compliant": _l("A certificate of compliance cannot be issued: %(problems)s"),
    "certificate.not_found": _l("This certificate does not exist."),
    "certificate.already_revoked": _l("This certificate has already been revoked."),
    "certificate.reason_required": _l("Give the reason for revoking the certificate."),
    "case.reason_invalid": _l("Choose a reason from the list."),
    "case.due_in_past": _l("The due date of a case cannot be in the past."),
    "case.assignee_invalid": _l("Choose an active inspector or supervisor."),
    "case.assignee_outside_area": _l("This inspector does not work in the employer's province."),
    "case.assessment_adds_nothing": _l("The wages found do not add to what was declared for this month: there "
                                       "is nothing to assess. Close the case with its outcome instead."),
    "case.already_open": _l("This employer already has an open case (%(number)s). Work that case, or close it "
                            "first."),
    "case.not_found": _l("This case does not exist."),
    "case.closed": _l("Case %(number)s is closed and can no longer be changed."),
    "case.text_required": _l("Write the text."),
    "case.note_kind_invalid": _l("Choose a note or a visit finding."),
    "case.file_empty": _l("The file is empty."),
    "case.file_too_large": _l("The file is larger than %(limit)s."),
    "case.file_type": _l("This kind of file is not accepted, or its content does not match its name. Accepted: "
                         "%(accepted)s."),
    "case.assessment_no_lines": _l("Give at least one worker and wage."),
    "case.employer_draft_open": _l("The employer has a draft declaration for %(period)s in progress. Ask the "
                                   "employer to file or discard it before the assessment is recorded."),
    "case.outcome_invalid": _l("Choose an outcome from the list."),
    "case.no_assessment": _l("Record an assessment in the case before closing it as assessed."),
    "report.not_found": _l("This month is not on your record."),
    "report.kind_invalid": _l("Choose what is wrong with this month."),
    "report.wage_invalid": _l("Write the monthly gross wage you were paid, as a positive number."),
    "report.month_declared": _l("This month is declared for you. If the wage is wrong, report the wage instead."),
    "statement.range_invalid": _l("Choose a first month that is not after the last one, a range of at most "
                                  "%(years)d years, and a last month no later than this month."),
    "statement.person_not_found": _l("This person does not exist."),
    "activation.too_many": _l("Too many attempts to activate an account. Please wait an hour and try again."),
    "activation.expired": _l("This activation has expired or was already used. Please start again."),
    "activation.code_wrong": _l("This code is not correct. Check the SMS and type the code again."),
    "activation.no_account": _l("This person has no worker account."),
    "area.not_inspector": _l("Only inspectors are limited to provinces."),
    "area.unknown_province": _l("These provinces are not known: %(codes)s."),
    "api.token_invalid": _l("No valid API token was given: send the header Authorization: Bearer followed by a "
                            "token that is neither expired nor revoked."),
    "api.read_only_token": _l("This API token may only read. Ask the employer's administrator for a token that "
                              "may write."),
    "api.employer_not_registered": _l("The employer of this API token is not registered."),
    "api.body_too_large": _l("The request is larger than %(megabytes)d MB. Split it into several requests."),
    "api.too_many_lines": _l("A request may carry at most %(limit)d lines."),
    "api.idempotency_key_required": _l("Every write needs an Idempotency-Key header: a unique value, such as a "
                                       "UUID, for this request."),
    "api.idempotency_key_invalid": _l("The Idempotency-Key must be 1 to 255 visible ASCII characters."),
    "api.idempotency_key_reused": _l("This Idempotency-Key was already used for another request. Use a new key "
                                     "for each different request."),
    "api.idempotency_in_progress": _l("A request with this Idempotency-Key is still being processed. Try again "
                                      "in a moment."),
    "api.json_required": _l("Send the request body as JSON, with the header Content-Type: application/json."),
    "api.json_invalid": _l("The request body is not a valid JSON object."),
    "api.type_invalid": _l("This value has the wrong type. See the API description."),
    "api.member_unknown": _l("This member is not part of the request. Check its spelling against the API "
                             "description."),
    "api.nul_character": _l("The request contains a character that is not allowed (NUL)."),
    "api.query_invalid": _l("Write a whole number from %(low)d to %(high)d."),
    "api.draft_exists": _l("A draft with changes is open for this period (declaration %(declaration)s). Replace "
                           "its lines, file it or delete it."),
    "api_token.name_required": _l("Give the token a name, for example the payroll program that will use it."),
    "api_token.name_taken": _l("An active token already has this name. Choose another name."),
    "api_token.scope_unknown": _l("Choose what the token may do from the list."),
    "api_token.expiry_unknown": _l("Choose how long the token is valid from the list."),
    "api_token.too_many": _l("An employer may have at most %(limit)d active tokens. Revoke one that is no longer "
                             "used."),
    "api_token.not_found": _l("This token does not exist."),
    "job.as_of_future": _l("A job cannot run for a date that has not begun yet (the latest is %(latest)s)."),
}


def message_for(error: DomainError) -> str:
    """The translated text for ``error``; an unknown code still gives a readable, translated sentence."""
    template = MESSAGES.get(error.code)
    if template is None:
        return gettext("The request could not be completed (%(code)s).", code=error.code)
    return str(template) % error.params if error.params else str(template)
