"""Suno Voice (REFERENCE §6.14): validate -> phrase -> generate -> voiceId, consent-gated."""

from __future__ import annotations

from suno_async.sandbox import Sandbox

from .support import CB, Http, Receiver, create, finish, gen_body, generate, get, post

VALIDATE = {"voiceUrl": "https://x.test/me.mp3", "vocalStartS": 0, "vocalEndS": 20}


async def test_voice_flow(sb: Sandbox, http: Http, receiver: Receiver) -> None:
    validation = await create(
        http, sb, "/api/v1/voice/validate", {**VALIDATE, "language": "en",
                                             "callBackUrl": receiver.url}
    )
    _, info = await get(http, sb, "/api/v1/voice/validate-info", taskId=validation)
    assert info["data"]["status"] == "wait_processing"
    assert info["data"]["validateInfo"] is None
    # consent gate: no voice before the validation produced its phrase
    gen = {"taskId": validation, "verifyUrl": "https://x.test/phrase.mp3", "voiceName": "me",
           "callBackUrl": receiver.url}
    _, reply = await post(http, sb, "/api/v1/voice/generate", gen)
    assert reply["code"] == 422
    await receiver.wait_for(1, task_id=validation)
    (callback,) = receiver.of(validation)
    assert callback["code"] == 200
    assert set(callback["data"]) == {"taskId", "validateInfo", "status", "errorCode",
                                     "errorMessage"}
    assert callback["data"]["status"] == "wait_validating"
    _, info = await get(http, sb, "/api/v1/voice/validate-info", taskId=validation)
    assert info["data"] == callback["data"]
    assert info["data"]["validateInfo"].startswith("I agree")
    voice = await create(http, sb, "/api/v1/voice/generate", gen)
    _, reply = await post(http, sb, "/api/v1/voice/check-voice", {"task_id": voice})
    assert reply == {"code": 200, "msg": "success", "data": {"isAvailable": False}}
    await receiver.wait_for(1, task_id=voice)
    _, record = await get(http, sb, "/api/v1/voice/record-info", taskId=voice)
    assert set(record["data"]) == {"taskId", "voiceId", "status", "errorCode", "errorMessage"}
    assert record["data"]["status"] == "success"
    voice_id = record["data"]["voiceId"]
    assert receiver.of(voice)[0]["data"]["voiceId"] == voice_id
    _, reply = await post(http, sb, "/api/v1/voice/check-voice", {"task_id": voice})
    assert reply["data"] == {"isAvailable": True}
    # the voice is used as a persona of a generation
    await generate(http, sb, customMode=True, style="pop", title="t", personaId=voice_id,
                   personaModel="voice_persona")
    # a voice task is not a validation and vice versa
    _, reply = await get(http, sb, "/api/v1/voice/record-info", taskId=validation)
    assert reply["data"] is None
    _, reply = await post(http, sb, "/api/v1/voice/regenerate", {"taskId": voice,
                                                                 "calBackUrl": CB})
    assert reply["code"] == 422  # a finished voice needs no rebuild


async def test_failed_validation_can_be_regenerated(sb: Sandbox, http: Http) -> None:
    bad = await create(http, sb, "/api/v1/voice/validate",
                       {**VALIDATE, "voiceUrl": "https://x.test/me.mp3?[[fail]]"})
    await finish(sb, bad)
    assert sb.status(bad) == "processing_validate_fail"
    _, reply = await post(http, sb, "/api/v1/voice/regenerate", {"taskId": bad, "calBackUrl": CB})
    assert reply["code"] == 200
    retry = reply["data"]["taskId"]
    assert retry != bad
    assert sb.task(retry).family == "voice_validate"


async def test_voice_validation_rules(sb: Sandbox, http: Http) -> None:
    cases = [
        ({}, "Please enter voiceUrl."),
        ({"voiceUrl": "https://x.test/a.mp3", "vocalEndS": 5}, "Please enter vocalStartS."),
        ({**VALIDATE, "vocalEndS": 0}, "vocalEndS must be greater than vocalStartS (both >= 0)"),
        ({**VALIDATE, "language": "xx"},
         "language must be one of en, zh, es, fr, pt, de, ja, ko, hi, ru"),
    ]
    for body, msg in cases:
        _, reply = await post(http, sb, "/api/v1/voice/validate", body)
        assert reply == {"code": 422, "msg": msg, "data": None}, body
    _, reply = await post(http, sb, "/api/v1/generate", gen_body())
    assert reply["code"] == 200
