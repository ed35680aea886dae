--
-- PostgreSQL database dump
--

\restrict vLHJ36RVyySsAYS4OsdWYht47dg39uCCtOd1FhUp5dMInOKnC3mu004S9eEdOZY

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accounts (
    sid character varying(34) NOT NULL,
    token_hash character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: alembic_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);


--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    sid character varying(34) NOT NULL,
    account_sid character varying(34) NOT NULL,
    secret_hash character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: conv_actions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conv_actions (
    id character varying(48) NOT NULL,
    conversation_id character varying(48) NOT NULL,
    account_sid character varying(34) NOT NULL,
    type character varying(32) NOT NULL,
    status character varying(16) NOT NULL,
    related json NOT NULL,
    failure_reason text,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    completed_at timestamp with time zone
);


--
-- Name: conv_communications; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conv_communications (
    id character varying(48) NOT NULL,
    conversation_id character varying(48) NOT NULL,
    account_sid character varying(34) NOT NULL,
    seq integer NOT NULL,
    author json NOT NULL,
    author_participant_id character varying(48),
    channel character varying(16) NOT NULL,
    content json NOT NULL,
    text text NOT NULL,
    recipients json NOT NULL,
    channel_id character varying(256),
    resource_id character varying(256),
    occurred_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: conv_configurations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conv_configurations (
    id character varying(48) NOT NULL,
    account_sid character varying(34) NOT NULL,
    display_name character varying(32) NOT NULL,
    description character varying(512) NOT NULL,
    grouping_type character varying(64) NOT NULL,
    memory_store_id character varying(128) NOT NULL,
    memory_extraction_enabled boolean NOT NULL,
    settings json NOT NULL,
    bridge_service_id character varying(34),
    version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: conv_idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conv_idempotency_keys (
    account_sid character varying(34) NOT NULL,
    key character varying(36) NOT NULL,
    request_fingerprint character varying(64) NOT NULL,
    status_code integer NOT NULL,
    body json NOT NULL,
    operation_id character varying(48) NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: conv_participants; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conv_participants (
    id character varying(48) NOT NULL,
    conversation_id character varying(48) NOT NULL,
    account_sid character varying(34) NOT NULL,
    name text,
    type character varying(16) NOT NULL,
    addresses json NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: conv_transitions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conv_transitions (
    id integer NOT NULL,
    conversation_id character varying(48) NOT NULL,
    from_status character varying(16) NOT NULL,
    to_status character varying(16) NOT NULL,
    reason character varying(16) NOT NULL,
    extraction_requested boolean NOT NULL,
    at timestamp with time zone NOT NULL
);


--
-- Name: conv_transitions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.conv_transitions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: conv_transitions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.conv_transitions_id_seq OWNED BY public.conv_transitions.id;


--
-- Name: conversation_profiles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversation_profiles (
    participant_id character varying(48) NOT NULL,
    conversation_id character varying(48) NOT NULL,
    store_id character varying(40) NOT NULL,
    profile_id character varying(40) NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: conversations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversations (
    id character varying(48) NOT NULL,
    account_sid character varying(34) NOT NULL,
    configuration_id character varying(48),
    configuration_version integer,
    configuration json NOT NULL,
    memory_store_id character varying(128),
    memory_extraction_enabled boolean NOT NULL,
    status character varying(16) NOT NULL,
    name text,
    conversation_metadata json NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    status_changed_at timestamp with time zone NOT NULL,
    last_communication_at timestamp with time zone,
    channel_activity json NOT NULL,
    next_due_at timestamp with time zone,
    communication_seq integer NOT NULL,
    extraction_watermark integer NOT NULL
);


--
-- Name: data_mapping_groups; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.data_mapping_groups (
    mapping_id character varying(48) NOT NULL,
    store_id character varying(40) NOT NULL,
    group_name character varying(64) NOT NULL
);


--
-- Name: data_mappings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.data_mappings (
    id character varying(48) NOT NULL,
    store_id character varying(40) NOT NULL,
    display_name character varying(64) NOT NULL,
    description character varying(512),
    is_enabled boolean NOT NULL,
    source_type character varying(32) NOT NULL,
    mapping_to json NOT NULL,
    mapping_from json NOT NULL,
    version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: erasure_audit; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.erasure_audit (
    id integer NOT NULL,
    account_sid character varying(40) NOT NULL,
    store_id character varying(40),
    object_kind character varying(32) NOT NULL,
    erased_counts character varying(1024) NOT NULL,
    credential_sid character varying(40) NOT NULL,
    erased_at timestamp with time zone NOT NULL
);


--
-- Name: erasure_audit_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.erasure_audit_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: erasure_audit_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.erasure_audit_id_seq OWNED BY public.erasure_audit.id;


--
-- Name: identity_settings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.identity_settings (
    store_id character varying(40) NOT NULL,
    identifier_configs json NOT NULL,
    matching_rules json NOT NULL,
    version integer NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: import_upload_chunks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.import_upload_chunks (
    import_id character varying(40) NOT NULL,
    attempt integer NOT NULL,
    seq integer NOT NULL,
    data bytea NOT NULL
);


--
-- Name: jobs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.jobs (
    id character varying(48) NOT NULL,
    kind character varying(48) NOT NULL,
    payload json NOT NULL,
    status character varying(16) NOT NULL,
    attempts integer NOT NULL,
    claimed_at timestamp with time zone,
    claimed_by character varying(64),
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    error text,
    operation_id character varying(48),
    progress json
);


--
-- Name: memory_index; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.memory_index (
    doc_id integer NOT NULL,
    item_id character varying(48) NOT NULL,
    kind character varying(16) NOT NULL,
    profile_id character varying(40) NOT NULL,
    search_text text NOT NULL,
    content_version integer NOT NULL,
    embedding bytea,
    embedded_version integer,
    needs_embedding boolean NOT NULL,
    search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED
);


--
-- Name: memory_index_doc_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.memory_index_doc_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: memory_index_doc_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.memory_index_doc_id_seq OWNED BY public.memory_index.doc_id;


--
-- Name: memory_index_state; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.memory_index_state (
    id integer NOT NULL,
    profile_id character varying(40) NOT NULL,
    version integer NOT NULL
);


--
-- Name: memory_index_state_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.memory_index_state_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: memory_index_state_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.memory_index_state_id_seq OWNED BY public.memory_index_state.id;


--
-- Name: memory_provenance; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.memory_provenance (
    seq integer NOT NULL,
    item_id character varying(48) NOT NULL,
    profile_id character varying(40) NOT NULL,
    conversation_id character varying(64) NOT NULL,
    communication_ids json NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: memory_provenance_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.memory_provenance_seq_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: memory_provenance_seq_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.memory_provenance_seq_seq OWNED BY public.memory_provenance.seq;


--
-- Name: observation_revisions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.observation_revisions (
    seq integer NOT NULL,
    observation_id character varying(48) NOT NULL,
    profile_id character varying(40) NOT NULL,
    content text NOT NULL,
    source character varying(100) NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    conversation_ids json NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: observation_revisions_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.observation_revisions_seq_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: observation_revisions_seq_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.observation_revisions_seq_seq OWNED BY public.observation_revisions.seq;


--
-- Name: observations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.observations (
    id character varying(48) NOT NULL,
    profile_id character varying(40) NOT NULL,
    content text NOT NULL,
    source character varying(100) NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    conversation_ids json NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: operations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.operations (
    id character varying(48) NOT NULL,
    account_sid character varying(34) NOT NULL,
    kind character varying(48) NOT NULL,
    status character varying(16) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    completed_at timestamp with time zone,
    result_id character varying(128),
    result_path character varying(512),
    error json
);


--
-- Name: profile_aliases; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.profile_aliases (
    alias_id character varying(40) NOT NULL,
    store_id character varying(40) NOT NULL,
    canonical_id character varying(40) NOT NULL,
    merged_at timestamp with time zone NOT NULL
);


--
-- Name: profile_identifiers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.profile_identifiers (
    seq bigint NOT NULL,
    profile_id character varying(40) NOT NULL,
    store_id character varying(40) NOT NULL,
    id_type character varying(30) NOT NULL,
    value character varying(255) NOT NULL,
    unique_value character varying(255),
    added_at timestamp with time zone NOT NULL
);


--
-- Name: profile_identifiers_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.profile_identifiers_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: profile_identifiers_seq_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.profile_identifiers_seq_seq OWNED BY public.profile_identifiers.seq;


--
-- Name: profile_imports; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.profile_imports (
    id character varying(40) NOT NULL,
    store_id character varying(40) NOT NULL,
    status character varying(16) NOT NULL,
    filename character varying(255) NOT NULL,
    file_size bigint NOT NULL,
    column_mappings json NOT NULL,
    upload_state character varying(16) NOT NULL,
    rows_done integer NOT NULL,
    errors integer NOT NULL,
    warnings integer NOT NULL,
    details json NOT NULL,
    failure character varying(1024),
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    upload_attempt integer DEFAULT 0 NOT NULL,
    upload_expires_at timestamp with time zone
);


--
-- Name: profile_traits; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.profile_traits (
    profile_id character varying(40) NOT NULL,
    store_id character varying(40) NOT NULL,
    group_name character varying(64) NOT NULL,
    trait_name character varying(64) NOT NULL,
    value json NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: profiles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.profiles (
    id character varying(40) NOT NULL,
    store_id character varying(40) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: rate_limit_buckets; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.rate_limit_buckets (
    key character varying(64) NOT NULL,
    tokens double precision NOT NULL,
    refilled_at double precision NOT NULL,
    granted boolean NOT NULL
);


--
-- Name: server_settings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.server_settings (
    key character varying(64) NOT NULL,
    value text NOT NULL
);


--
-- Name: stores; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.stores (
    id character varying(40) NOT NULL,
    account_sid character varying(34) NOT NULL,
    display_name character varying(64) NOT NULL,
    description character varying(128),
    status character varying(16) NOT NULL,
    intelligence_service_id character varying(64),
    version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    data_as_of timestamp with time zone
);


--
-- Name: summaries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.summaries (
    id character varying(48) NOT NULL,
    profile_id character varying(40) NOT NULL,
    content text NOT NULL,
    source character varying(100),
    occurred_at timestamp with time zone NOT NULL,
    conversation_id character varying(48) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: trait_groups; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.trait_groups (
    id character varying(48) NOT NULL,
    store_id character varying(40) NOT NULL,
    name character varying(64) NOT NULL,
    description character varying(1024),
    traits json NOT NULL,
    version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: conv_transitions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_transitions ALTER COLUMN id SET DEFAULT nextval('public.conv_transitions_id_seq'::regclass);


--
-- Name: erasure_audit id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.erasure_audit ALTER COLUMN id SET DEFAULT nextval('public.erasure_audit_id_seq'::regclass);


--
-- Name: memory_index doc_id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_index ALTER COLUMN doc_id SET DEFAULT nextval('public.memory_index_doc_id_seq'::regclass);


--
-- Name: memory_index_state id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_index_state ALTER COLUMN id SET DEFAULT nextval('public.memory_index_state_id_seq'::regclass);


--
-- Name: memory_provenance seq; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_provenance ALTER COLUMN seq SET DEFAULT nextval('public.memory_provenance_seq_seq'::regclass);


--
-- Name: observation_revisions seq; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.observation_revisions ALTER COLUMN seq SET DEFAULT nextval('public.observation_revisions_seq_seq'::regclass);


--
-- Name: profile_identifiers seq; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_identifiers ALTER COLUMN seq SET DEFAULT nextval('public.profile_identifiers_seq_seq'::regclass);


--
-- Data for Name: accounts; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.accounts VALUES ('AC0123456789abcdef0123456789abcdef', 'b0c2a7c061f53cd3666db2b17040002e6d6123504591294d940b08560fd0d3dc', '2026-12-05 12:03:49.560767+00');


--
-- Data for Name: alembic_version; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.alembic_version VALUES ('0008');


--
-- Data for Name: api_keys; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: conv_actions; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: conv_communications; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: conv_configurations; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: conv_idempotency_keys; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: conv_participants; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: conv_transitions; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: conversation_profiles; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: conversations; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: data_mapping_groups; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: data_mappings; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: erasure_audit; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: identity_settings; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.identity_settings VALUES ('mem_store_01m931dngme6fa56cse2wmjxkc', '[{"idType": "email", "matchingAlgo": "exact", "matchingThreshold": 75, "limit": 100, "limitPolicy": "fifo", "enforceUnique": true, "normalization": "email"}, {"idType": "phone", "matchingAlgo": "exact", "matchingThreshold": 75, "limit": 100, "limitPolicy": "fifo", "enforceUnique": true, "normalization": "phone"}, {"idType": "whatsapp", "matchingAlgo": "exact", "matchingThreshold": 75, "limit": 100, "limitPolicy": "fifo", "enforceUnique": true, "normalization": "phone"}, {"idType": "chat", "matchingAlgo": "exact", "matchingThreshold": 75, "limit": 100, "limitPolicy": "fifo", "enforceUnique": true, "normalization": "trim"}]', '["email", "phone", "whatsapp", "chat"]', 1, '2026-12-05 12:03:51.451164+00');


--
-- Data for Name: import_upload_chunks; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: jobs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.jobs VALUES ('mem_job_01m931dnmmefpbmn3w39rtmd8a', 'embed', '{"items": ["mem_observation_01m931dnmce89am2bp72bnkptj"]}', 'DONE', 1, NULL, NULL, '2026-12-05 12:03:51.572321+00', '2026-12-05 12:03:51.691501+00', NULL, NULL, 'null');


--
-- Data for Name: memory_index; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.memory_index VALUES (1, 'mem_observation_01m931dnmce89am2bp72bnkptj', 'observation', 'mem_profile_01m931dnk2e31r27tm2v2pcaxr', 'ada prefer email phone call 15 januari 2025', 1, '\x64ffa6bd61e326bd9f41343d8d32da3c7ddf963c13462bbd2268cc3d1c62a53ceb06143d47fd05bda2e8eabd9ba3a63d4481cdbdb76f343cffa7573dc0c1693d89f6943d719c85bd5077fcbc540f083d137868bca3e0c23ad5e6103d00c8d53a1874063dde5803bd6a944bbd130c7ebdd9afe1bc9194323d9825e03cc3a5223d81eefd3dfc2f103d6529cabd97882a3b21de5fbc5c57b43d7379a9bdecc80fbd331eb7bd517ec63c8cad91bb5c38d1bcb3672fbd383b44bda56c9abcb278243d83b5973b0b070dbc1ee4c03cc407d63ca46c42bc39558ebb72ba99bb7b27693dabfe423ca347f43cef6b053d4f7b8b3cd75526bc10214d3c73b402bdebc2943cccd384bdf080283dd09e13bd0fceb1bb22d6373c9f48ecbcb44685bdccf23e3d95e4cfbce67f973d8e8aff3d51a4823cb9825e3d795f3ebde9993a3db731c73d8d7a75bd12c3463d223f683c377a9ebb1048ca3dcdf1673d63615fbd719437bd7b5939bc79ff11bdbcf7883c2ed342bd7374b1bd3c91f33a6ea6acbdea2d053dd6246cbdf91d3ebdbe58abbd64fcc63dced3e43b64aaee3ca56ceabdfbf1793c4a8713bd34aaadbcd6bac8bca422053bb4c1933b0e0a513c791b9c3c404f8dbd950d213d6ed5ecbc68d2efbcb3f105bd9dd04cbde5cf833de10f143ebbfc843d3f4e61bd872544ba605711bd3cb8463c28f9143bef074bbd7a4e983d862f25893c1479bbd22281bc9068433defbab2bb7eb46a3ca203683913f7bd3b85b974bcb512d33c7c97a9bc82756438861f3d3d699cd93d6e0d60bc95a60abd22f4c13c3a01debc44e98a3d9b1205bdccd98dbcd361db3c4115833a85afb13cd9ecb73db5e5a03d5d3129bde004703dc637443d361df03d7afc2e3da45e83bd8ae66bbd194583bd0a67a23dc074793dae88e13da8fc483b510759bc924d1abd1c05f9bc63f334bbff58d73dbfae96bc84ca343de5d9babbcbb8903d3055943d9d275b3cf12a1d3d74baf0bb4625b43a46cf1a3d169feabb7bb1763da2771fbd36366ebd4c72333d618c01bbc584eb3df62f943ca8e8bbbcd4379b3b5774573cd1c986bdd27fffbcfddfa6bdd97e94bc9501cbbce9e3073d14f2cfbc1b5a1d3d2b4f653c885485bad288cf3dfc570fbe0de040bd26eba23d6fcac8bcd626423d6293923bc60073bcee3d7a3c6623d03c060d9c3c2c65553d80129ebcf8d7a7bd7dec2ebd4fc288bd9483c53dd39ea4bd80880bbde6e7a5bdd381ac3d7607e0bcc652ed08b11a9fbb4f48edbd388504bd2f529ebcf2cbb5bd5632c9bb5e8c4e3d1c77323cbdcfb63d4a32cf3cdaf01d3cd06d4d3d138eaf3b080a933d56138f3d9b12c5bcd314ab3dc34d573c028345bd7ac7023de53c5fbc31d2753df92843bd8c3a613d1d7911bdcd08d6bc739393bd32e04e3d39e75ebb23a721bd78cc9dbc9fab2abc5a7698bd4e28393d922a23bd494f37bd177f9ebcca20d8b9b95843bc6929453d2b82e53d34c7423d1fa94b3d2e20533dccfd003d3d4a833c2ecadcbcfcb3773c778483bdf946bfbb07a509bd1a261abd6c7c1b3ddb812b3d57ce80bdd0299db94a38a13d8d8102bdf9df1dbdd9c9b43c3bc3883cf07f63bbaf6dad3d8718d2bd17194f3c1d27723cc3de10bd55dcadbda646643d345f053c433e063d97f2f1bd1fb3a4bd37893fbd49b7ecbcfc5c8d3c0a864cbd4de40e3b9b2a9fbd47692a3bcc2130bdcc9865bd5559293dd57bad3d8aff75bba4575a3d967b363d2cda2abd39c2343dd8e8023ddc5aa13ce0562abd88c38a3c77178b3ccab3a5bd7d198ab2f06cb63cb9f13bbd5e14d13d2332143ad267e0bc112f143dfd021d39ae5bb33b8a7d62bdef8486bd77c0213caafed3bc56c76cbd51b6903dd7d8ce3da75a4f3d2d64e73dc3cfd5bd2e3c65bd4ade0e3dbb31a2bcd13d94bb3a28debb345121bc20c61f3cb3694d3a55b6803d5067533df5e3533cc3afcebc60beffbcb8c8d7bbb16c0cbdc4ff503c5aabe3bc8475f4bc0f2cef3c4046e2bdb69fdf3a557ab9bdb65fa93cfd005abd92c8f93beba2d4bc1f95fc3c2060a03da10d2c3d942ac6bd4ddf9e3c69b2fe3ad22a1e3c054332bd9dfda13b75fb033d3030383d02b986bd135b823cee320abe30d83b3dd1916d3bcbef453c56f6223dd2fd64bd95bb953c', 1, false, DEFAULT);


--
-- Data for Name: memory_index_state; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.memory_index_state VALUES (1, 'mem_profile_01m931dnk2e31r27tm2v2pcaxr', 2);


--
-- Data for Name: memory_provenance; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: observation_revisions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.observation_revisions VALUES (1, 'mem_observation_01m931dnmce89am2bp72bnkptj', 'mem_profile_01m931dnk2e31r27tm2v2pcaxr', 'Ada prefers email over phone calls.', 'chat', '2025-01-15 10:15:30+00', '[]', '2026-12-05 12:03:51.56497+00', '2026-12-05 12:03:51.56497+00');


--
-- Data for Name: observations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.observations VALUES ('mem_observation_01m931dnmce89am2bp72bnkptj', 'mem_profile_01m931dnk2e31r27tm2v2pcaxr', 'Ada prefers email over phone calls.', 'chat', '2025-01-15 10:15:30+00', '[]', '2026-12-05 12:03:51.56497+00', '2026-12-05 12:03:51.56497+00');


--
-- Data for Name: operations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.operations VALUES ('mem_operation_01m931dngxebx81w1bssakfgwn', 'AC0123456789abcdef0123456789abcdef', 'store.create', 'COMPLETED', '2026-12-05 12:03:51.453576+00', '2026-12-05 12:03:51.453576+00', 'mem_store_01m931dngme6fa56cse2wmjxkc', '/v1/ControlPlane/Stores/mem_store_01m931dngme6fa56cse2wmjxkc', 'null');


--
-- Data for Name: profile_aliases; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: profile_identifiers; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.profile_identifiers VALUES (1, 'mem_profile_01m931dnk2e31r27tm2v2pcaxr', 'mem_store_01m931dngme6fa56cse2wmjxkc', 'email', 'fixture@example.com', 'fixture@example.com', '2026-12-05 12:03:51.521215+00');


--
-- Data for Name: profile_imports; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: profile_traits; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.profile_traits VALUES ('mem_profile_01m931dnk2e31r27tm2v2pcaxr', 'mem_store_01m931dngme6fa56cse2wmjxkc', 'Contact', 'email', '"fixture@example.com"', '2026-12-05 12:03:51.521215+00');
INSERT INTO public.profile_traits VALUES ('mem_profile_01m931dnk2e31r27tm2v2pcaxr', 'mem_store_01m931dngme6fa56cse2wmjxkc', 'Contact', 'firstName', '"Ada"', '2026-12-05 12:03:51.521215+00');


--
-- Data for Name: profiles; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.profiles VALUES ('mem_profile_01m931dnk2e31r27tm2v2pcaxr', 'mem_store_01m931dngme6fa56cse2wmjxkc', '2026-12-05 12:03:51.521215+00', '2026-12-05 12:03:51.521215+00');


--
-- Data for Name: rate_limit_buckets; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: server_settings; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.server_settings VALUES ('page_token_key', 'af3ce74303dd5b92f6cb1f4d38c0f4b185cf13b0c1d1b6ca6049d7803242d181');


--
-- Data for Name: stores; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.stores VALUES ('mem_store_01m931dngme6fa56cse2wmjxkc', 'AC0123456789abcdef0123456789abcdef', 'migration-fixture', NULL, 'ACTIVE', NULL, 1, '2026-12-05 12:03:51.449712+00', '2026-12-05 12:03:51.449712+00', '2026-12-05 12:03:51.449712+00');


--
-- Data for Name: summaries; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: trait_groups; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.trait_groups VALUES ('mem_traitgroup_01m931dngwe7ctqh5qksf9azc2', 'mem_store_01m931dngme6fa56cse2wmjxkc', 'Contact', 'Contact information and the identifiers of the customer.', '{"email": {"dataType": "STRING", "description": "The customer''s email address.", "idTypePromotion": "email"}, "phone": {"dataType": "STRING", "description": "The customer''s phone number.", "idTypePromotion": "phone"}, "firstName": {"dataType": "STRING", "description": "Given name."}, "lastName": {"dataType": "STRING", "description": "Family name."}, "street": {"dataType": "STRING", "description": "Street address."}, "city": {"dataType": "STRING", "description": "City."}, "state": {"dataType": "STRING", "description": "State, province or region."}, "postalCode": {"dataType": "STRING", "description": "Postal or ZIP code."}, "country": {"dataType": "STRING", "description": "Country."}, "preferredLanguage": {"dataType": "STRING", "description": "Preferred language, e.g. en or es-MX."}}', 1, '2026-12-05 12:03:51.452225+00', '2026-12-05 12:03:51.452225+00');


--
-- Name: conv_transitions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.conv_transitions_id_seq', 1, false);


--
-- Name: erasure_audit_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.erasure_audit_id_seq', 1, false);


--
-- Name: memory_index_doc_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.memory_index_doc_id_seq', 1, true);


--
-- Name: memory_index_state_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.memory_index_state_id_seq', 1, true);


--
-- Name: memory_provenance_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.memory_provenance_seq_seq', 1, false);


--
-- Name: observation_revisions_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.observation_revisions_seq_seq', 1, true);


--
-- Name: profile_identifiers_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.profile_identifiers_seq_seq', 1, true);


--
-- Name: alembic_version alembic_version_pkc; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);


--
-- Name: accounts pk_accounts; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT pk_accounts PRIMARY KEY (sid);


--
-- Name: api_keys pk_api_keys; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT pk_api_keys PRIMARY KEY (sid);


--
-- Name: conv_actions pk_conv_actions; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_actions
    ADD CONSTRAINT pk_conv_actions PRIMARY KEY (id);


--
-- Name: conv_communications pk_conv_communications; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_communications
    ADD CONSTRAINT pk_conv_communications PRIMARY KEY (id);


--
-- Name: conv_configurations pk_conv_configurations; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_configurations
    ADD CONSTRAINT pk_conv_configurations PRIMARY KEY (id);


--
-- Name: conv_idempotency_keys pk_conv_idempotency_keys; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_idempotency_keys
    ADD CONSTRAINT pk_conv_idempotency_keys PRIMARY KEY (account_sid, key);


--
-- Name: conv_participants pk_conv_participants; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_participants
    ADD CONSTRAINT pk_conv_participants PRIMARY KEY (id);


--
-- Name: conv_transitions pk_conv_transitions; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_transitions
    ADD CONSTRAINT pk_conv_transitions PRIMARY KEY (id);


--
-- Name: conversation_profiles pk_conversation_profiles; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_profiles
    ADD CONSTRAINT pk_conversation_profiles PRIMARY KEY (participant_id);


--
-- Name: conversations pk_conversations; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT pk_conversations PRIMARY KEY (id);


--
-- Name: data_mapping_groups pk_data_mapping_groups; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.data_mapping_groups
    ADD CONSTRAINT pk_data_mapping_groups PRIMARY KEY (mapping_id, group_name);


--
-- Name: data_mappings pk_data_mappings; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.data_mappings
    ADD CONSTRAINT pk_data_mappings PRIMARY KEY (id);


--
-- Name: erasure_audit pk_erasure_audit; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.erasure_audit
    ADD CONSTRAINT pk_erasure_audit PRIMARY KEY (id);


--
-- Name: identity_settings pk_identity_settings; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.identity_settings
    ADD CONSTRAINT pk_identity_settings PRIMARY KEY (store_id);


--
-- Name: import_upload_chunks pk_import_upload_chunks; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.import_upload_chunks
    ADD CONSTRAINT pk_import_upload_chunks PRIMARY KEY (import_id, attempt, seq);


--
-- Name: jobs pk_jobs; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.jobs
    ADD CONSTRAINT pk_jobs PRIMARY KEY (id);


--
-- Name: memory_index pk_memory_index; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_index
    ADD CONSTRAINT pk_memory_index PRIMARY KEY (doc_id);


--
-- Name: memory_index_state pk_memory_index_state; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_index_state
    ADD CONSTRAINT pk_memory_index_state PRIMARY KEY (id);


--
-- Name: memory_provenance pk_memory_provenance; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_provenance
    ADD CONSTRAINT pk_memory_provenance PRIMARY KEY (seq);


--
-- Name: observation_revisions pk_observation_revisions; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.observation_revisions
    ADD CONSTRAINT pk_observation_revisions PRIMARY KEY (seq);


--
-- Name: observations pk_observations; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.observations
    ADD CONSTRAINT pk_observations PRIMARY KEY (id);


--
-- Name: operations pk_operations; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.operations
    ADD CONSTRAINT pk_operations PRIMARY KEY (id);


--
-- Name: profile_aliases pk_profile_aliases; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_aliases
    ADD CONSTRAINT pk_profile_aliases PRIMARY KEY (alias_id);


--
-- Name: profile_identifiers pk_profile_identifiers; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_identifiers
    ADD CONSTRAINT pk_profile_identifiers PRIMARY KEY (seq);


--
-- Name: profile_imports pk_profile_imports; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_imports
    ADD CONSTRAINT pk_profile_imports PRIMARY KEY (id);


--
-- Name: profile_traits pk_profile_traits; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_traits
    ADD CONSTRAINT pk_profile_traits PRIMARY KEY (profile_id, group_name, trait_name);


--
-- Name: profiles pk_profiles; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT pk_profiles PRIMARY KEY (id);


--
-- Name: rate_limit_buckets pk_rate_limit_buckets; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rate_limit_buckets
    ADD CONSTRAINT pk_rate_limit_buckets PRIMARY KEY (key);


--
-- Name: server_settings pk_server_settings; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.server_settings
    ADD CONSTRAINT pk_server_settings PRIMARY KEY (key);


--
-- Name: stores pk_stores; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stores
    ADD CONSTRAINT pk_stores PRIMARY KEY (id);


--
-- Name: summaries pk_summaries; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.summaries
    ADD CONSTRAINT pk_summaries PRIMARY KEY (id);


--
-- Name: trait_groups pk_trait_groups; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.trait_groups
    ADD CONSTRAINT pk_trait_groups PRIMARY KEY (id);


--
-- Name: conv_communications uq_conv_communications_conversation_resource; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_communications
    ADD CONSTRAINT uq_conv_communications_conversation_resource UNIQUE (conversation_id, resource_id);


--
-- Name: data_mappings uq_data_mappings_store_display_name; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.data_mappings
    ADD CONSTRAINT uq_data_mappings_store_display_name UNIQUE (store_id, display_name);


--
-- Name: memory_index uq_memory_index_item_id; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_index
    ADD CONSTRAINT uq_memory_index_item_id UNIQUE (item_id);


--
-- Name: profile_identifiers uq_profile_identifiers_profile_value; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_identifiers
    ADD CONSTRAINT uq_profile_identifiers_profile_value UNIQUE (profile_id, id_type, value);


--
-- Name: profile_identifiers uq_profile_identifiers_unique_value; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_identifiers
    ADD CONSTRAINT uq_profile_identifiers_unique_value UNIQUE (store_id, id_type, unique_value);


--
-- Name: stores uq_stores_account_display_name; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stores
    ADD CONSTRAINT uq_stores_account_display_name UNIQUE (account_sid, display_name);


--
-- Name: trait_groups uq_trait_groups_store_name; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.trait_groups
    ADD CONSTRAINT uq_trait_groups_store_name UNIQUE (store_id, name);


--
-- Name: ix_api_keys_account_sid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_api_keys_account_sid ON public.api_keys USING btree (account_sid);


--
-- Name: ix_conv_actions_conversation_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conv_actions_conversation_id ON public.conv_actions USING btree (conversation_id);


--
-- Name: ix_conv_communications_channel_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conv_communications_channel_id ON public.conv_communications USING btree (channel_id);


--
-- Name: ix_conv_communications_conversation_order; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conv_communications_conversation_order ON public.conv_communications USING btree (conversation_id, occurred_at, id);


--
-- Name: ix_conv_communications_conversation_seq; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conv_communications_conversation_seq ON public.conv_communications USING btree (conversation_id, seq);


--
-- Name: ix_conv_communications_resource_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conv_communications_resource_id ON public.conv_communications USING btree (resource_id);


--
-- Name: ix_conv_configurations_account_sid_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conv_configurations_account_sid_id ON public.conv_configurations USING btree (account_sid, id);


--
-- Name: ix_conv_participants_conversation_id_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conv_participants_conversation_id_id ON public.conv_participants USING btree (conversation_id, id);


--
-- Name: ix_conv_transitions_conversation_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conv_transitions_conversation_id ON public.conv_transitions USING btree (conversation_id);


--
-- Name: ix_conversation_profiles_conversation_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conversation_profiles_conversation_id ON public.conversation_profiles USING btree (conversation_id);


--
-- Name: ix_conversation_profiles_profile_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conversation_profiles_profile_id ON public.conversation_profiles USING btree (profile_id);


--
-- Name: ix_conversations_account_sid_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conversations_account_sid_id ON public.conversations USING btree (account_sid, id);


--
-- Name: ix_conversations_configuration_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conversations_configuration_id ON public.conversations USING btree (configuration_id);


--
-- Name: ix_conversations_next_due_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conversations_next_due_at ON public.conversations USING btree (next_due_at);


--
-- Name: ix_data_mapping_groups_store_group; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_data_mapping_groups_store_group ON public.data_mapping_groups USING btree (store_id, group_name);


--
-- Name: ix_erasure_audit_account_sid_erased_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_erasure_audit_account_sid_erased_at ON public.erasure_audit USING btree (account_sid, erased_at);


--
-- Name: ix_jobs_operation_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_jobs_operation_id ON public.jobs USING btree (operation_id);


--
-- Name: ix_jobs_status_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_jobs_status_created ON public.jobs USING btree (status, created_at);


--
-- Name: ix_memory_index_needs_embedding; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_memory_index_needs_embedding ON public.memory_index USING btree (needs_embedding);


--
-- Name: ix_memory_index_profile_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_memory_index_profile_id ON public.memory_index USING btree (profile_id);


--
-- Name: ix_memory_index_search_tsv; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_memory_index_search_tsv ON public.memory_index USING gin (search_tsv);


--
-- Name: ix_memory_index_state_profile_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_memory_index_state_profile_id ON public.memory_index_state USING btree (profile_id);


--
-- Name: ix_memory_provenance_conversation_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_memory_provenance_conversation_id ON public.memory_provenance USING btree (conversation_id);


--
-- Name: ix_memory_provenance_item_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_memory_provenance_item_id ON public.memory_provenance USING btree (item_id);


--
-- Name: ix_memory_provenance_profile_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_memory_provenance_profile_id ON public.memory_provenance USING btree (profile_id);


--
-- Name: ix_observation_revisions_observation_id_seq; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_observation_revisions_observation_id_seq ON public.observation_revisions USING btree (observation_id, seq);


--
-- Name: ix_observation_revisions_profile_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_observation_revisions_profile_id ON public.observation_revisions USING btree (profile_id);


--
-- Name: ix_observations_profile_id_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_observations_profile_id_id ON public.observations USING btree (profile_id, id);


--
-- Name: ix_operations_account_sid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_operations_account_sid ON public.operations USING btree (account_sid);


--
-- Name: ix_operations_completed_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_operations_completed_at ON public.operations USING btree (completed_at);


--
-- Name: ix_profile_aliases_canonical_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_profile_aliases_canonical_id ON public.profile_aliases USING btree (canonical_id);


--
-- Name: ix_profile_identifiers_lookup; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_profile_identifiers_lookup ON public.profile_identifiers USING btree (store_id, id_type, value);


--
-- Name: ix_profile_imports_store_id_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_profile_imports_store_id_id ON public.profile_imports USING btree (store_id, id);


--
-- Name: ix_profile_traits_store_group; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_profile_traits_store_group ON public.profile_traits USING btree (store_id, group_name);


--
-- Name: ix_profiles_store_id_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_profiles_store_id_id ON public.profiles USING btree (store_id, id);


--
-- Name: ix_summaries_profile_id_conversation_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_summaries_profile_id_conversation_id ON public.summaries USING btree (profile_id, conversation_id);


--
-- Name: ix_summaries_profile_id_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_summaries_profile_id_id ON public.summaries USING btree (profile_id, id);


--
-- Name: api_keys fk_api_keys_account_sid_accounts; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT fk_api_keys_account_sid_accounts FOREIGN KEY (account_sid) REFERENCES public.accounts(sid) ON DELETE CASCADE;


--
-- Name: conv_actions fk_conv_actions_conversation_id_conversations; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_actions
    ADD CONSTRAINT fk_conv_actions_conversation_id_conversations FOREIGN KEY (conversation_id) REFERENCES public.conversations(id) ON DELETE CASCADE;


--
-- Name: conv_communications fk_conv_communications_conversation_id_conversations; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_communications
    ADD CONSTRAINT fk_conv_communications_conversation_id_conversations FOREIGN KEY (conversation_id) REFERENCES public.conversations(id) ON DELETE CASCADE;


--
-- Name: conv_configurations fk_conv_configurations_account_sid_accounts; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_configurations
    ADD CONSTRAINT fk_conv_configurations_account_sid_accounts FOREIGN KEY (account_sid) REFERENCES public.accounts(sid) ON DELETE CASCADE;


--
-- Name: conv_idempotency_keys fk_conv_idempotency_keys_account_sid_accounts; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_idempotency_keys
    ADD CONSTRAINT fk_conv_idempotency_keys_account_sid_accounts FOREIGN KEY (account_sid) REFERENCES public.accounts(sid) ON DELETE CASCADE;


--
-- Name: conv_participants fk_conv_participants_conversation_id_conversations; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_participants
    ADD CONSTRAINT fk_conv_participants_conversation_id_conversations FOREIGN KEY (conversation_id) REFERENCES public.conversations(id) ON DELETE CASCADE;


--
-- Name: conv_transitions fk_conv_transitions_conversation_id_conversations; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conv_transitions
    ADD CONSTRAINT fk_conv_transitions_conversation_id_conversations FOREIGN KEY (conversation_id) REFERENCES public.conversations(id) ON DELETE CASCADE;


--
-- Name: conversation_profiles fk_conversation_profiles_conversation_id_conversations; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_profiles
    ADD CONSTRAINT fk_conversation_profiles_conversation_id_conversations FOREIGN KEY (conversation_id) REFERENCES public.conversations(id) ON DELETE CASCADE;


--
-- Name: conversation_profiles fk_conversation_profiles_participant_id_conv_participants; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_profiles
    ADD CONSTRAINT fk_conversation_profiles_participant_id_conv_participants FOREIGN KEY (participant_id) REFERENCES public.conv_participants(id) ON DELETE CASCADE;


--
-- Name: conversation_profiles fk_conversation_profiles_profile_id_profiles; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_profiles
    ADD CONSTRAINT fk_conversation_profiles_profile_id_profiles FOREIGN KEY (profile_id) REFERENCES public.profiles(id) ON DELETE CASCADE;


--
-- Name: conversation_profiles fk_conversation_profiles_store_id_stores; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_profiles
    ADD CONSTRAINT fk_conversation_profiles_store_id_stores FOREIGN KEY (store_id) REFERENCES public.stores(id) ON DELETE CASCADE;


--
-- Name: conversations fk_conversations_account_sid_accounts; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT fk_conversations_account_sid_accounts FOREIGN KEY (account_sid) REFERENCES public.accounts(sid) ON DELETE CASCADE;


--
-- Name: data_mapping_groups fk_data_mapping_groups_mapping_id_data_mappings; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.data_mapping_groups
    ADD CONSTRAINT fk_data_mapping_groups_mapping_id_data_mappings FOREIGN KEY (mapping_id) REFERENCES public.data_mappings(id) ON DELETE CASCADE;


--
-- Name: data_mapping_groups fk_data_mapping_groups_store_id_stores; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.data_mapping_groups
    ADD CONSTRAINT fk_data_mapping_groups_store_id_stores FOREIGN KEY (store_id) REFERENCES public.stores(id) ON DELETE CASCADE;


--
-- Name: data_mappings fk_data_mappings_store_id_stores; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.data_mappings
    ADD CONSTRAINT fk_data_mappings_store_id_stores FOREIGN KEY (store_id) REFERENCES public.stores(id) ON DELETE CASCADE;


--
-- Name: identity_settings fk_identity_settings_store_id_stores; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.identity_settings
    ADD CONSTRAINT fk_identity_settings_store_id_stores FOREIGN KEY (store_id) REFERENCES public.stores(id) ON DELETE CASCADE;


--
-- Name: import_upload_chunks fk_import_upload_chunks_import_id_profile_imports; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.import_upload_chunks
    ADD CONSTRAINT fk_import_upload_chunks_import_id_profile_imports FOREIGN KEY (import_id) REFERENCES public.profile_imports(id) ON DELETE CASCADE;


--
-- Name: memory_index fk_memory_index_profile_id_profiles; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_index
    ADD CONSTRAINT fk_memory_index_profile_id_profiles FOREIGN KEY (profile_id) REFERENCES public.profiles(id) ON DELETE CASCADE;


--
-- Name: memory_index_state fk_memory_index_state_profile_id_profiles; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_index_state
    ADD CONSTRAINT fk_memory_index_state_profile_id_profiles FOREIGN KEY (profile_id) REFERENCES public.profiles(id) ON DELETE CASCADE;


--
-- Name: memory_provenance fk_memory_provenance_profile_id_profiles; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_provenance
    ADD CONSTRAINT fk_memory_provenance_profile_id_profiles FOREIGN KEY (profile_id) REFERENCES public.profiles(id) ON DELETE CASCADE;


--
-- Name: observation_revisions fk_observation_revisions_observation_id_observations; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.observation_revisions
    ADD CONSTRAINT fk_observation_revisions_observation_id_observations FOREIGN KEY (observation_id) REFERENCES public.observations(id) ON DELETE CASCADE;


--
-- Name: observation_revisions fk_observation_revisions_profile_id_profiles; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.observation_revisions
    ADD CONSTRAINT fk_observation_revisions_profile_id_profiles FOREIGN KEY (profile_id) REFERENCES public.profiles(id) ON DELETE CASCADE;


--
-- Name: observations fk_observations_profile_id_profiles; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.observations
    ADD CONSTRAINT fk_observations_profile_id_profiles FOREIGN KEY (profile_id) REFERENCES public.profiles(id) ON DELETE CASCADE;


--
-- Name: operations fk_operations_account_sid_accounts; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.operations
    ADD CONSTRAINT fk_operations_account_sid_accounts FOREIGN KEY (account_sid) REFERENCES public.accounts(sid) ON DELETE CASCADE;


--
-- Name: profile_aliases fk_profile_aliases_canonical_id_profiles; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_aliases
    ADD CONSTRAINT fk_profile_aliases_canonical_id_profiles FOREIGN KEY (canonical_id) REFERENCES public.profiles(id) ON DELETE CASCADE;


--
-- Name: profile_aliases fk_profile_aliases_store_id_stores; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_aliases
    ADD CONSTRAINT fk_profile_aliases_store_id_stores FOREIGN KEY (store_id) REFERENCES public.stores(id) ON DELETE CASCADE;


--
-- Name: profile_identifiers fk_profile_identifiers_profile_id_profiles; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_identifiers
    ADD CONSTRAINT fk_profile_identifiers_profile_id_profiles FOREIGN KEY (profile_id) REFERENCES public.profiles(id) ON DELETE CASCADE;


--
-- Name: profile_identifiers fk_profile_identifiers_store_id_stores; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_identifiers
    ADD CONSTRAINT fk_profile_identifiers_store_id_stores FOREIGN KEY (store_id) REFERENCES public.stores(id) ON DELETE CASCADE;


--
-- Name: profile_imports fk_profile_imports_store_id_stores; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_imports
    ADD CONSTRAINT fk_profile_imports_store_id_stores FOREIGN KEY (store_id) REFERENCES public.stores(id) ON DELETE CASCADE;


--
-- Name: profile_traits fk_profile_traits_profile_id_profiles; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_traits
    ADD CONSTRAINT fk_profile_traits_profile_id_profiles FOREIGN KEY (profile_id) REFERENCES public.profiles(id) ON DELETE CASCADE;


--
-- Name: profile_traits fk_profile_traits_store_id_stores; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profile_traits
    ADD CONSTRAINT fk_profile_traits_store_id_stores FOREIGN KEY (store_id) REFERENCES public.stores(id) ON DELETE CASCADE;


--
-- Name: profiles fk_profiles_store_id_stores; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT fk_profiles_store_id_stores FOREIGN KEY (store_id) REFERENCES public.stores(id) ON DELETE CASCADE;


--
-- Name: stores fk_stores_account_sid_accounts; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stores
    ADD CONSTRAINT fk_stores_account_sid_accounts FOREIGN KEY (account_sid) REFERENCES public.accounts(sid) ON DELETE CASCADE;


--
-- Name: summaries fk_summaries_profile_id_profiles; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.summaries
    ADD CONSTRAINT fk_summaries_profile_id_profiles FOREIGN KEY (profile_id) REFERENCES public.profiles(id) ON DELETE CASCADE;


--
-- Name: trait_groups fk_trait_groups_store_id_stores; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.trait_groups
    ADD CONSTRAINT fk_trait_groups_store_id_stores FOREIGN KEY (store_id) REFERENCES public.stores(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict vLHJ36RVyySsAYS4OsdWYht47dg39uCCtOd1FhUp5dMInOKnC3mu004S9eEdOZY

