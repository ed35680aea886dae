"""Conversations v2 ingestion API driven by the official twilio client (client.conversations.v2)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest.conversations.v2.communication import CommunicationList
from twilio.rest.conversations.v2.configuration import ConfigurationList
from twilio.rest.conversations.v2.conversation import ConversationList
from twilio.rest.conversations.v2.participant import ParticipantList
from twilio.rest.memory.v1.profile import ProfileList

from tests.support.wire import create_store, operation_id

CUSTOMER_PHONE = "+18005550100"
AGENT_PHONE = "+18005550199"


def make_config(v2: Any, store_id: str, **extra: Any) -> str:
    body = {"displayName": "support", "description": "Support config", "conversationGroupingType": "GROUP_BY_PROFILE",
            "memoryStoreId": store_id, "memoryExtractionEnabled": True,
            "channelSettings": {"SMS": {"statusTimeouts": {"inactive": 10, "closed": 60}}}, **extra}
    accepted = v2.configurations.create(create_configuration_request=ConfigurationList.CreateConfigurationRequest(body))
    return str(accepted.related["configurationId"])


def make_conversation(v2: Any, config_id: str, **extra: Any) -> Any:
    return v2.conversations.create(create_conversation_with_config_request=
                                   ConversationList.CreateConversationWithConfigRequest(
                                       {"configurationId": config_id, **extra}))


def add_participant(v2: Any, conversation_id: str, body: dict[str, Any]) -> Any:
    return v2.participants(conversation_id).create(
        create_participant_in_conversation_request=ParticipantList.CreateParticipantInConversationRequest(body))


def say(v2: Any, conversation_id: str, author: str, to: str, text: str, channel: str = "SMS", **extra: Any) -> Any:
    return v2.communications(conversation_id).create(
        create_communication_in_conversation_request=CommunicationList.CreateCommunicationInConversationRequest({
            "author": {"address": author, "channel": channel}, "recipients": [{"address": to, "channel": channel}],
            "content": {"type": "TEXT", "text": text}, **extra}))


def minutes_ago(minutes: float, offset_hours: int = 0) -> str:
    """A recent occurredAt (old ones would be past the closed timeout), optionally in another offset."""
    zone = timedelta(hours=offset_hours)
    at = (datetime.now(UTC) - timedelta(minutes=minutes)).astimezone(timezone(zone))
    return at.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if not offset_hours else at.strftime("%z")[:3] + ":00")


def rest_error(call: Any, *args: Any, **kwargs: Any) -> TwilioRestException:
    with pytest.raises(TwilioRestException) as caught:
        call(*args, **kwargs)
    return caught.value


def test_configuration_lifecycle_through_the_sdk(v2: Any, http: httpx.Client, store_id: str) -> None:
    key = str(uuid.uuid4())
    body = {"displayName": "support", "description": "first", "conversationGroupingType": "GROUP_BY_PROFILE",
            "memoryStoreId": store_id,
            "channelSettings": {"SMS": {"statusTimeouts": {"inactive": 10, "closed": 60},
                                        "captureRules": [{"from": "*", "to": "+18005550199"}]}}}
    request = ConfigurationList.CreateConfigurationRequest(body)
    first = v2.configurations.create(create_configuration_request=request, idempotency_key=key)
    again = v2.configurations.create(create_configuration_request=request, idempotency_key=key)
    config_id = first.related["configurationId"]
    assert config_id.startswith("conv_configuration_") and again.related["configurationId"] == config_id
    assert first.status_url == again.status_url
    op = v2.operations(operation_id(first.status_url)).fetch()
    assert (op.status, op.related) == ("COMPLETED", {"configurationId": config_id})

    fetched = v2.configurations(config_id).fetch()
    assert (fetched.display_name, fetched.version, fetched.memory_extraction_enabled) == ("support", 1, False)
    raw = http.get(f"/v2/ControlPlane/Configurations/{config_id}").json()
    assert raw["channelSettings"]["SMS"]["captureRules"] == [{"from": "*", "to": "+18005550199"}]

    # PATCH merges channelSettings per channel; a null channel (raw clients only) removes it.
    v2.configurations(config_id).patch(patch_configuration_request=ConfigurationList.PatchConfigurationRequest(
        {"memoryExtractionEnabled": True, "channelSettings": {"CHAT": {"statusTimeouts": {"inactive": 15}}}}))
    patched = http.get(f"/v2/ControlPlane/Configurations/{config_id}").json()
    assert set(patched["channelSettings"]) == {"SMS", "CHAT"} and patched["version"] == 2
    resp = http.patch(f"/v2/ControlPlane/Configurations/{config_id}", json={"channelSettings": {"SMS": None}})
    assert resp.status_code == 202 and set(resp.json()["channelSettings"]) == {"CHAT"}

    # PUT replaces everything; the grouping type is immutable.
    v2.configurations(config_id).update(update_configuration_request=ConfigurationList.UpdateConfigurationRequest(
        {"description": "second", "conversationGroupingType": "GROUP_BY_PROFILE", "memoryStoreId": store_id,
         "channelSettings": {}}))
    replaced = v2.configurations(config_id).fetch()
    assert (replaced.description, replaced.display_name, replaced.version) == ("second", "support", 4)
    assert replaced.memory_extraction_enabled is False
    err = rest_error(v2.configurations(config_id).update, update_configuration_request=
                     ConfigurationList.UpdateConfigurationRequest({"description": "x", "memoryStoreId": store_id,
                                                                   "conversationGroupingType": "GROUP_BY_PROFILE"}))
    assert err.status == 400
    regroup = ConfigurationList.PatchConfigurationRequest(
        {"conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES"})
    err = rest_error(v2.configurations(config_id).patch, patch_configuration_request=regroup)
    assert err.status == 400

    # Validation and unknown ids.
    assert http.post("/v2/ControlPlane/Configurations", json={**body, "displayName": "bad!name"}).status_code == 400
    assert http.post("/v2/ControlPlane/Configurations", json={**body, "channelSettings": {
        "SMS": {"statusTimeouts": {"inactive": 0}}}}).status_code == 400
    bad_key = {"Idempotency-Key": "nope"}
    assert http.post("/v2/ControlPlane/Configurations", json=body, headers=bad_key).status_code == 400
    assert rest_error(v2.configurations("conv_configuration_00000000000000000000000001").fetch).status == 404

    # Delete: refused while a conversation is open, then allowed; the conversation keeps its copy.
    conv = make_conversation(v2, config_id)
    assert rest_error(v2.configurations(config_id).delete).status == 409
    v2.conversations(conv.id).patch(patch_conversation_by_id_request=
                                    ConversationList.PatchConversationByIdRequest({"status": "CLOSED"}))
    deleted = v2.configurations(config_id).delete()
    assert deleted["related"] == {"configurationId": config_id}
    assert rest_error(v2.configurations(config_id).fetch).status == 404
    assert v2.conversations(conv.id).fetch().configuration["description"] == "second"


def test_configuration_list_pages_and_filter(v2: Any, http: httpx.Client, store_id: str) -> None:
    other_store = create_store(http)
    made = [make_config(v2, store_id) for _ in range(3)] + [make_config(v2, other_store)]
    listed = [c.id for c in v2.configurations.list(page_size=2)]
    assert listed == made
    assert [c.id for c in v2.configurations.list(memory_store_id=other_store)] == made[3:]
    assert http.get("/v2/ControlPlane/Configurations", params={"memoryStoreId": "nope"}).status_code == 400
    page = http.get("/v2/ControlPlane/Configurations", params={"PageSize": 3}).json()
    assert page["meta"]["key"] == "configurations" and page["meta"]["pageSize"] == 3 and page["meta"]["nextToken"]


def test_conversation_with_participants_and_communications(v2: Any, v1: Any, http: httpx.Client,
                                                          store_id: str) -> None:
    config_id = make_config(v2, store_id)
    conv = make_conversation(v2, config_id, name="Order help", metadata={"orderId": "123"}, participants=[
        {"name": "Dana", "type": "CUSTOMER", "addresses": [{"channel": "SMS", "address": CUSTOMER_PHONE}]},
        {"name": "Bot", "type": "AI_AGENT", "addresses": [{"channel": "SMS", "address": AGENT_PHONE}]}])
    assert conv.id.startswith("conv_conversation_") and conv.status == "ACTIVE"
    assert conv.configuration_id == config_id and conv.configuration["memoryStoreId"] == store_id
    customer, agent = conv.participants
    assert customer["profileId"].startswith("mem_profile_") and "profileId" not in agent
    assert v1.profiles(store_id, customer["profileId"]).fetch().id == customer["profileId"]

    T0 = minutes_ago(5)
    first = say(v2, conv.id, CUSTOMER_PHONE, AGENT_PHONE, "My order arrived damaged.",
                occurredAt=T0, channelId="SM1", resourceId="SM1")
    assert first.author["participantId"] == customer["id"]
    assert first.recipients[0]["participantId"] == agent["id"]
    say(v2, conv.id, AGENT_PHONE, CUSTOMER_PHONE, "Sorry! A replacement ships tomorrow.",
        occurredAt=minutes_ago(6, offset_hours=1))  # earlier: sorts first
    # A stranger's address becomes an UNKNOWN participant (lookup only: no profile created).
    say(v2, conv.id, "+18005550123", AGENT_PHONE, "Hi, I am the spouse.", occurredAt=minutes_ago(4))
    # The same resourceId updates the earlier communication in place.
    updated = say(v2, conv.id, CUSTOMER_PHONE, AGENT_PHONE, "My order 123 arrived damaged.",
                  occurredAt=T0, resourceId="SM1")
    assert updated.id == first.id and updated.content["text"] == "My order 123 arrived damaged."

    texts = [c.content["text"] for c in v2.communications(conv.id).list(page_size=2)]
    assert texts == ["Sorry! A replacement ships tomorrow.", "My order 123 arrived damaged.", "Hi, I am the spouse."]
    assert [c.id for c in v2.communications(conv.id).list(channel_id="SM1")] == [first.id]
    assert v2.communications(conv.id, first.id).fetch().resource_id == "SM1"

    people = v2.participants(conv.id).list()
    assert [p.type for p in people] == ["CUSTOMER", "AI_AGENT", "UNKNOWN"] and people[2].profile_id is None
    assert v2.participants(conv.id, customer["id"]).fetch().profile_id == customer["profileId"]
    listed = [c.id for c in v2.conversations.list(channel_id="SM1")]
    assert listed == [conv.id]

    # Closing is final: no more traffic, no status change back.
    closed = v2.conversations(conv.id).patch(patch_conversation_by_id_request=
                                             ConversationList.PatchConversationByIdRequest({"status": "CLOSED"}))
    assert closed.status == "CLOSED"
    err = rest_error(say, v2, conv.id, CUSTOMER_PHONE, AGENT_PHONE, "one more thing")
    assert err.status == 400 and "closed" in str(err.msg).lower()
    err = rest_error(v2.conversations(conv.id).update, update_conversation_by_id_request=
                     ConversationList.UpdateConversationByIdRequest({"status": "ACTIVE"}))
    assert err.status == 400
    assert v2.conversations(conv.id).update(update_conversation_by_id_request=
                                            ConversationList.UpdateConversationByIdRequest(
                                                {"status": "CLOSED"})).status == "CLOSED"
    assert rest_error(add_participant, v2, conv.id, {"type": "CUSTOMER", "addresses": [
        {"channel": "SMS", "address": "+18005550111"}]}).status == 400


def test_profile_resolution_rules(v2: Any, v1: Any, http: httpx.Client, store_id: str) -> None:
    existing = v1.profiles(store_id).create(ProfileList.ProfileData(
        {"traits": {"Contact": {"phone": "+18005550142"}}})).id
    config_id = make_config(v2, store_id)
    conv = make_conversation(v2, config_id)
    # An existing profile is found by phone (normalized), a new CUSTOMER gets a new one.
    known = add_participant(v2, conv.id, {"type": "CUSTOMER", "addresses": [
        {"channel": "SMS", "address": "+1 (800) 555-0142"}]})
    assert known.profile_id == existing
    fresh = add_participant(v2, conv.id, {"type": "CUSTOMER", "name": "Wa", "addresses": [
        {"channel": "WHATSAPP", "address": "whatsapp:+18005550177"}]})
    chat = add_participant(v2, conv.id, {"type": "CUSTOMER", "addresses": [{"channel": "CHAT", "address": "user-42"}]})
    assert fresh.profile_id and chat.profile_id and len({existing, fresh.profile_id, chat.profile_id}) == 3
    # UNKNOWN: a hit upgrades to CUSTOMER, a miss creates nothing; agents are never resolved.
    unknown_hit = add_participant(v2, make_conversation(v2, config_id).id,
                                  {"addresses": [{"channel": "CHAT", "address": "user-42 "}]})
    assert (unknown_hit.type, unknown_hit.profile_id) == ("CUSTOMER", chat.profile_id)
    miss = add_participant(v2, conv.id, {"type": "UNKNOWN", "addresses": [{"channel": "CHAT", "address": "nobody"}]})
    assert (miss.type, miss.profile_id) == ("UNKNOWN", None)
    agent = add_participant(v2, conv.id, {"type": "HUMAN_AGENT", "addresses": [
        {"channel": "SMS", "address": "+18005550188"}]})
    assert agent.profile_id is None
    # An explicit profileId wins over the addresses; an unknown one falls back to them.
    explicit = add_participant(v2, conv.id, {"type": "CUSTOMER", "profileId": existing, "addresses": [
        {"channel": "EMAIL", "address": "someone@example.com"}]})
    assert explicit.profile_id == existing
    # A second conversation with the same customer address gets the same profile.
    other = make_conversation(v2, config_id, participants=[
        {"type": "CUSTOMER", "addresses": [{"channel": "WHATSAPP", "address": "+18005550177"}]}])
    assert other.participants[0]["profileId"] == fresh.profile_id
    # The same address twice in one conversation: 409 naming the holder.
    resp = http.post(f"/v2/Conversations/{conv.id}/Participants",
                     json={"type": "CUSTOMER", "addresses": [{"channel": "CHAT", "address": "user-42"}]})
    assert resp.status_code == 409 and resp.headers["X-Conflicting-Resource-Id"] == chat.id
    # A configuration cannot name a store that does not exist (or is another account's)...
    resp = http.post("/v2/ControlPlane/Configurations", json={
        "displayName": "nowhere", "description": "d", "conversationGroupingType": "GROUP_BY_PROFILE",
        "memoryStoreId": "mem_store_00000000000000000000000009", "channelSettings": {}})
    assert resp.status_code == 404 and resp.json()["code"] == 520041
    # ...but a store deleted since never blocks a participant.
    gone = create_store(http)
    gone_config = make_config(v2, gone)
    assert http.delete(f"/v1/ControlPlane/Stores/{gone}").status_code == 202
    lost = make_conversation(v2, gone_config, participants=[
        {"type": "CUSTOMER", "addresses": [{"channel": "SMS", "address": CUSTOMER_PHONE}]}])
    assert lost.participants[0]["type"] == "CUSTOMER" and "profileId" not in lost.participants[0]
    # Update: becoming an agent drops the profile; a new address re-resolves.
    updated = v2.participants(conv.id, miss.id).update(update_participant_in_conversation_request=
                                                       ParticipantList.UpdateParticipantInConversationRequest(
                                                           {"type": "CUSTOMER", "name": "Now known"}))
    assert updated.type == "CUSTOMER" and updated.profile_id and updated.name == "Now known"


def test_conversation_list_filters_updates_and_delete(v2: Any, http: httpx.Client, store_id: str) -> None:
    config_id = make_config(v2, store_id)
    convs = [make_conversation(v2, config_id, name=f"c{i}") for i in range(4)]
    v2.conversations(convs[0].id).update(update_conversation_by_id_request=
                                         ConversationList.UpdateConversationByIdRequest({"status": "INACTIVE"}))
    v2.conversations(convs[1].id).patch(patch_conversation_by_id_request=
                                        ConversationList.PatchConversationByIdRequest({"status": "CLOSED"}))
    assert [c.id for c in v2.conversations.list(page_size=3)] == [c.id for c in reversed(convs)]
    assert [c.id for c in v2.conversations.list(status=["ACTIVE"])] == [convs[3].id, convs[2].id]
    assert {c.id for c in v2.conversations.list(status=["INACTIVE", "CLOSED"], limit=1)} <= {convs[0].id, convs[1].id}
    assert [c["id"] for c in http.get("/v2/Conversations", params={"Status": "INACTIVE,CLOSED"}).json()[
        "conversations"]] == [convs[1].id, convs[0].id]
    assert http.get("/v2/Conversations", params={"status": "OPEN"}).status_code == 400

    # PUT replaces metadata, PATCH merges it (null removes a key).
    target = convs[2].id
    v2.conversations(target).update(update_conversation_by_id_request=ConversationList.UpdateConversationByIdRequest(
        {"status": "ACTIVE", "name": "renamed", "metadata": {"a": "1", "b": "2"}}))
    resp = http.patch(f"/v2/Conversations/{target}", json={"metadata": {"a": None, "c": "3"},
                                                           "configuration": {"statusCallbacks": [
                                                               {"url": "https://example.com/hook"}]}})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["name"], body["metadata"]) == ("renamed", {"b": "2", "c": "3"})
    assert body["configuration"]["statusCallbacks"] == [{"url": "https://example.com/hook", "method": "POST"}]
    assert http.patch(f"/v2/Conversations/{target}", json={"metadata": {f"k{i}": "v" for i in range(8)}}
                      ).status_code == 400

    # Inline configuration (no configurationId): configurationId is null.
    inline = v2.conversations.create(create_conversation_with_config_request=
                                     ConversationList.CreateConversationWithConfigRequest({"configuration": {
                                         "memoryStoreId": store_id, "memoryExtractionEnabled": True,
                                         "channelSettings": {"CHAT": {"statusTimeouts": {"inactive": 5}}}}}))
    assert inline.configuration_id is None
    assert inline.configuration["conversationGroupingType"] == "GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE"
    assert http.post("/v2/Conversations", json={"name": "no config"}).status_code == 400
    assert http.post("/v2/Conversations", json={"configurationId": "conv_configuration_00000000000000000000000001"}
                     ).status_code == 404

    # Delete: 202 with an operation; everything in it is gone.
    say(v2, target, CUSTOMER_PHONE, AGENT_PHONE, "bye")
    deleted = v2.conversations(target).delete()
    assert deleted["related"] == {"conversationId": target}
    assert v2.operations(operation_id(deleted["statusUrl"])).fetch().status == "COMPLETED"
    assert rest_error(v2.conversations(target).fetch).status == 404
    assert http.get(f"/v2/Conversations/{target}/Communications").status_code == 404


def test_profile_link_follows_merges_and_deletes_and_recall_shape(v2: Any, v1: Any, db: Any, account: Any,
                                                                  store_id: str) -> None:
    from convmem.services.conversations.memory import advance_watermark, extraction_input
    from convmem.services.recall_conversation import recall_communications, recent_customer_first_texts

    conv = make_conversation(v2, make_config(v2, store_id), participants=[
        {"name": "Dana", "type": "CUSTOMER", "addresses": [{"channel": "SMS", "address": CUSTOMER_PHONE}]},
        {"type": "CUSTOMER", "addresses": [{"channel": "EMAIL", "address": "dana@example.com"}]},
        {"name": "Bot", "type": "AI_AGENT", "addresses": [{"channel": "SMS", "address": AGENT_PHONE}]}])
    by_phone, by_email, bot = conv.participants
    assert by_phone["profileId"] < by_email["profileId"]
    say(v2, conv.id, CUSTOMER_PHONE, AGENT_PHONE, "Hi there", occurredAt=minutes_ago(2), channelId="SM9")
    with db.read() as conn:
        shaped = recall_communications(conn, account.account_sid, store_id, conv.id, 10)
        assert recall_communications(conn, account.account_sid, create_store_like(store_id), conv.id, 10) == []
        assert recent_customer_first_texts(conn, account.account_sid, store_id, conv.id) == ["Hi there"]
    with db.write() as conn:
        job = extraction_input(conn, conv.id)
        assert job is not None and [c.text for c in job.transcript.communications] == ["Hi there"]
        assert sorted(p.profile_id for p in job.customers) == sorted([by_phone["profileId"], by_email["profileId"]])
        assert job.new_ids == {shaped[0]["id"]} and job.watermark == 1
        advance_watermark(conn, conv.id, job.watermark)
    later = say(v2, conv.id, AGENT_PHONE, CUSTOMER_PHONE, "Hello Dana")
    with db.write() as conn:
        job = extraction_input(conn, conv.id)
        assert job is not None and job.new_ids == {later.id} and len(job.transcript.communications) == 2
    assert shaped == [{"id": shaped[0]["id"], "channelId": "SM9", "content": {"text": "Hi there"},
                       "author": {"id": by_phone["id"], "name": "Dana", "type": "CUSTOMER",
                                  "profileId": by_phone["profileId"], "address": CUSTOMER_PHONE, "channel": "SMS"},
                       "recipients": [{"id": bot["id"], "name": "Bot", "type": "AI_AGENT", "address": AGENT_PHONE,
                                       "channel": "SMS"}],
                       "createdAt": shaped[0]["createdAt"], "updatedAt": shaped[0]["updatedAt"]}]

    # A profile holding both identifiers merges the two; the participants follow the survivor.
    v1.profiles(store_id).create(ProfileList.ProfileData(
        {"traits": {"Contact": {"phone": CUSTOMER_PHONE, "email": "dana@example.com"}}}))
    people = {p.id: p.profile_id for p in v2.participants(conv.id).list()}
    assert people[by_phone["id"]] == people[by_email["id"]] == by_phone["profileId"]
    # Deleting the profile unlinks it.
    v1.profiles(store_id, by_phone["profileId"]).delete()
    assert v2.participants(conv.id, by_phone["id"]).fetch().profile_id is None


def create_store_like(store_id: str) -> str:
    """Another (well-formed, unknown) store id."""
    return store_id[:-1] + ("0" if store_id[-1] != "0" else "1")


def test_send_message_action_lands_in_the_transcript(v2: Any, http: httpx.Client, store_id: str) -> None:
    from twilio.rest.conversations.v2.action import ActionList

    conv = make_conversation(v2, make_config(v2, store_id), participants=[
        {"name": "Dana", "type": "CUSTOMER", "addresses": [{"channel": "SMS", "address": CUSTOMER_PHONE}]},
        {"name": "Bot", "type": "AI_AGENT", "addresses": [{"channel": "SMS", "address": AGENT_PHONE}]}])
    customer, agent = conv.participants
    action = v2.actions(conv.id).create(ActionList.CreateConversationActionRequest({
        "type": "SEND_MESSAGE", "payload": {"from": {"participantId": agent["id"]},
                                            "to": [{"participantId": customer["id"], "channel": "SMS"}],
                                            "content": {"text": "Your replacement shipped."}}}))
    assert (action.type, action.status) == ("SEND_MESSAGE", "COMPLETED") and action.completed_at is not None
    sent = v2.communications(conv.id, action.related["communicationId"]).fetch()
    assert sent.author == {"address": AGENT_PHONE, "channel": "SMS", "participantId": agent["id"]}
    assert sent.content == {"type": "TEXT", "text": "Your replacement shipped."}
    assert v2.actions(conv.id, action.id).fetch().related == action.related
    bad = http.post(f"/v2/Conversations/{conv.id}/Actions", json={"type": "SEND_MESSAGE", "payload": {
        "from": {"address": AGENT_PHONE}, "to": [{"participantId": customer["id"]}], "content": {"text": "x"}}})
    assert bad.status_code == 400 and bad.json()["status"] == 400
    assert http.get(f"/v2/Conversations/{conv.id}/Actions/conv_action_00000000000000000000000001").status_code == 404
    # channelSettings is a free map for the sender: flat values (the spec's own example) and nested ones.
    for settings in ({"messagingServiceSid": "MG00000000000000000000000000000000"},
                     {"SMS": {"messagingServiceSid": "MG00000000000000000000000000000000"}}):
        resp = http.post(f"/v2/Conversations/{conv.id}/Actions", json={"type": "SEND_MESSAGE", "payload": {
            "from": {"participantId": agent["id"]}, "to": [{"participantId": customer["id"], "channel": "SMS"}],
            "content": {"text": "Flat or nested settings."}, "channelSettings": settings}})
        assert resp.status_code == 202, resp.text
    too_many = {f"k{n}": "v" for n in range(51)}
    resp = http.post(f"/v2/Conversations/{conv.id}/Actions", json={"type": "SEND_MESSAGE", "payload": {
        "from": {"participantId": agent["id"]}, "to": [{"participantId": customer["id"], "channel": "SMS"}],
        "content": {"text": "x"}, "channelSettings": too_many}})
    assert resp.status_code == 400 and resp.json()["status"] == 400
