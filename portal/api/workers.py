"""Workers: register a hire (person and employment in one call), end an employment, list and read back.

A worker's id is its employment's id: stable, and the same one the portal's pages use.  The rules and the
error codes are those of the web form; a field in error is named as in the request (``person.birth_date``).
"""

from __future__ import annotations

import datetime as dt
import re

from flask import abort, request, url_for

from common.errors import NotFound
from employers.persons import Employment, Person
from employers.registration import ApplicationInvalid
from employers.worker_rules import EMPLOYMENT_FIELDS, PERSON_FIELDS
from employers.workers import employment_of, end_employment, register_hire, worker_query
from portal.api import bp
from portal.api.core import (
    ApiError,
    actor,
    amount,
    api_call,
    employer,
    json_body,
    json_response,
    object_field,
    only_members,
    page_args,
    page_of,
    session,
    text_field,
)
from portal.api.refusals import details
from portal.web import now

HIRE_FIELDS = {**{f: f"person.{f}" for f in PERSON_FIELDS}, **{f: f"employment.{f}" for f in EMPLOYMENT_FIELDS}}
END_FIELDS = {"end_reason": "reason"}


def person_json(person: Person) -> dict:
    return {"id": person.id, "social_security_number": person.social_security_number,
            "given_name": person.given_name, "family_name": person.family_name,
            "given_name_latin": person.given_name_latin, "family_name_latin": person.family_name_latin,
            "birth_date": person.birth_date, "sex": person.sex}


def worker_json(job: Employment) -> dict:
    return {"id": job.id, "person": person_json(job.person), "hired_on": job.hired_on, "ended_on": job.ended_on,
            "end_reason": job.end_reason, "job_title": job.job_title, "contract_type": job.contract_type,
            "monthly_wage": amount(job.monthly_wage)}


def _invalid(error: ApplicationInvalid, names: dict[str, str]) -> ApiError:
    return ApiError(400, error.code, count=len(error.problems), **details(error, names=names))


@bp.route("/workers")
@api_call()
def workers():
    page_args()  # a wrong limit or offset is named before the filters
    current_on = None
    if request.args.get("current_on"):
        try:
            current_on = dt.date.fromisoformat(request.args["current_on"])
        except ValueError:
            raise ApiError(400, "field.date_invalid", field="current_on") from None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", request.args["current_on"]):  # YYYY-MM-DD only, as described
            raise ApiError(400, "field.date_invalid", field="current_on")
    search = request.args.get("search", "")
    if len(search) > 100:
        raise ApiError(400, "field.too_long", field="search")
    return page_of(worker_query(employer().id, search=search, current_on=current_on),
                   lambda rows: [worker_json(job) for job in rows])


@bp.route("/workers", methods=["POST"])
@api_call(write=True)
def hire():
    body = json_body()
    only_members(body, ("person", "employment"))
    person_in, job_in = object_field(body, "person"), object_field(body, "employment")
    only_members(person_in, PERSON_FIELDS, where="person.")
    only_members(job_in, EMPLOYMENT_FIELDS, where="employment.")
    person = {f: text_field(person_in, f, where=f"person.{f}", required=False, max_length=200)
              for f in PERSON_FIELDS}
    job = {f: text_field(job_in, f, where=f"employment.{f}", required=False, max_length=200)
           for f in EMPLOYMENT_FIELDS}
    try:
        result = register_hire(session(), employer(), person=person, employment=job, actor=actor(), now=now())
    except ApplicationInvalid as error:
        raise _invalid(error, HIRE_FIELDS) from None
    payload = {**worker_json(result.employment), "existing_person": result.existing_person}
    return json_response(payload, 201, location=url_for("api.worker", worker_id=result.employment.id))


def _job(worker_id: int) -> Employment:
    try:
        return employment_of(session(), employer().id, worker_id)
    except NotFound:
        abort(404)


@bp.route("/workers/<id:worker_id>")
@api_call()
def worker(worker_id: int):
    return json_response(worker_json(_job(worker_id)))


@bp.route("/workers/<id:worker_id>/end", methods=["POST"])
@api_call(write=True)
def end(worker_id: int):
    body = json_body()
    only_members(body, ("ended_on", "reason"))
    _job(worker_id)
    ended_on = text_field(body, "ended_on", required=False, max_length=20)
    reason = text_field(body, "reason", required=False, max_length=40)
    try:
        job = end_employment(session(), employer(), worker_id, ended_on=ended_on, reason=reason, actor=actor(),
                             now=now())
    except ApplicationInvalid as error:
        raise _invalid(error, END_FIELDS) from None
    return json_response(worker_json(job))
