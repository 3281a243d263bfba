// Type declarations for roomkey.js (protocol v2: docs/protocol-v2.md).

/** A member of the room: its id (opaque, one per membership) and name. */
export interface Member {
  id: string;
  person: string;
}

interface PublicationBase {
  /** The author's member id; "server" for a message published by the HTTP API. */
  from: string;
  person: string;
  /** The room's sequence number of this publication (1, 2, 3, ... per epoch). */
  offset: number;
  /** Server time when the offset was given, in Unix milliseconds. */
  at: number;
}

export interface LocationPublication extends PublicationBase {
  type: "Location Data";
  latitude: number;
  longitude: number;
}

export interface MessagePublication extends PublicationBase {
  type: "message";
  data: unknown;
}

export interface StatePublication extends PublicationBase {
  type: "state";
  data: unknown;
}

/** A publication as the server sent it. */
export type Publication = LocationPublication | MessagePublication | StatePublication;

export type ConnectionState = "idle" | "connecting" | "connected" | "reconnecting" | "closed";

export interface ReconnectOptions {
  /** ms before the first retry (before jitter). Default 500. */
  initialDelay?: number;
  /** Upper bound of a retry's delay, in ms. Default 15000. */
  maxDelay?: number;
  /** Each failed try multiplies the delay by this. Default 2. */
  factor?: number;
  /** 0..1: a delay is randomly shortened by up to this fraction. Default 0.5. */
  jitter?: number;
  /** Failed tries in a row before the client closes for good. Default Infinity. */
  maxAttempts?: number;
}

export interface RoomkeyClientOptions {
  /** The member's name; required unless `token` is given. */
  person?: string;
  /** A JWT for servers run with --auth-key; sent in the init's "token" field. */
  token?: string;
  /** Returns a new token; called before the current one's exp, and before reconnecting with an expired one. */
  refreshToken?: () => string | Promise<string>;
  /** A WebSocket constructor. Default: globalThis.WebSocket. */
  WebSocket?: new (url: string) => WebSocket;
  /** Retry policy, or false to close for good at the first drop. */
  reconnect?: ReconnectOptions | false;
  /** Publications kept while disconnected (and requests waiting). Default 100. */
  queueSize?: number;
  /** ms from opening a socket to "joined" before the try counts as failed. Default 10000. */
  connectTimeout?: number;
}

export interface JoinInfo {
  join: string;
  created: boolean;
  owner: boolean;
  you: Member;
  members: Member[];
  epoch: string;
  offset: number;
  state: Publication[];
  /** This join resumed an earlier membership (sent `since`). */
  resumed: boolean;
  /** For a resume: whether everything missed was recovered; null otherwise. */
  recovered: boolean | null;
  /** For a recovered resume: the publications after the last offset seen, as the server sent them. */
  missed: Publication[];
}

export interface HistoryResult {
  epoch: string;
  offset: number;
  publications: Publication[];
}

export interface PresenceEvent {
  event: "join" | "leave";
  member: Member;
  /** For a leave: "closed", "timeout" or "dropped". */
  reason?: "closed" | "timeout" | "dropped";
}

export interface ConnectionEvent {
  state: ConnectionState;
  /** For "reconnecting": which retry this is (1, 2, ...). */
  attempt: number;
  /** For "reconnecting": ms before the retry. */
  delay: number;
  /** The WebSocket close code that caused the change, if any. */
  code: number | null;
  reason: string | null;
}

export interface ResumedEvent {
  recovered: boolean;
  /** Other members' publications delivered from the resume (own ones settle their promises). */
  missed: Publication[];
}

export interface ResetEvent {
  epoch: string;
  offset: number;
  state: Publication[];
  /** "server": the server sent a reset (cluster); "resume": a resume came back not recovered. */
  cause: "server" | "resume";
}

export interface ClosedEvent {
  code: number | null;
  reason: string | null;
  /** What ended the client; null when close() was called. */
  error: RoomkeyError | null;
}

export interface RoomkeyEvents {
  joined: JoinInfo;
  publication: Publication;
  location: LocationPublication;
  message: MessagePublication;
  state: StatePublication;
  presence: PresenceEvent;
  members: Member[];
  connection: ConnectionEvent;
  resumed: ResumedEvent;
  reset: ResetEvent;
  error: RoomkeyError;
  destroyed: { join: string };
  closed: ClosedEvent;
}

/** The server's error codes (protocol-v2.md section 10) and the client's own. */
export type RoomkeyErrorCode =
  | "closed" | "queue_full" | "not_connected" | "timeout" | "unconfirmed" | "no_websocket"
  | "connection_lost" | "destroyed" | "refresh_failed" | "already_in_room"
  | "invalid_json" | "invalid_message" | "invalid_init" | "invalid_location" | "invalid_id"
  | "invalid_history" | "invalid_destroy" | "unknown_type" | "init_required" | "unsupported_version"
  | "not_found" | "store_unavailable" | "room_full" | "room_limit" | "too_many_joins" | "rate_limited"
  | "not_your_room" | "binary_not_supported" | "init_timeout" | "unauthorized" | "token_expired"
  | "forbidden" | "invalid_refresh" | "kicked"
  | (string & {});

export class RoomkeyError extends Error {
  constructor(code: RoomkeyErrorCode, message: string, options?: { id?: number | string; cause?: unknown });
  readonly name: "RoomkeyError";
  code: RoomkeyErrorCode;
  /** The id of the publication the error is about, if any. */
  id: number | string | undefined;
}

export class RoomkeyClient {
  constructor(url: string | URL, options: RoomkeyClientOptions);

  readonly state: ConnectionState;
  readonly key: string | null;
  readonly epoch: string | null;
  /** The highest offset seen (publications, acks, joined, reset). */
  readonly offset: number;
  readonly me: Member | null;
  readonly owner: boolean;
  /** Members now in the room, oldest first (a copy). */
  readonly members: Member[];
  /** The room's last-known Location Data and state publications, latest per person and type, oldest first. */
  readonly lastKnown: Publication[];
  /** The token in force (after refreshes). */
  readonly token: string | undefined;
  /** Publications waiting in the offline queue. */
  readonly queued: number;

  /** Connects and creates a room. */
  create(): Promise<JoinInfo>;
  /**
   * Connects and joins the room with this key. With `since` (the `epoch` and
   * `offset` an earlier client of this member had reached, e.g. before a page
   * reload) the join is a resume: `JoinInfo.recovered` tells whether nothing
   * was lost, and what was missed arrives as publications.
   */
  join(key: string, options?: { since?: { epoch: string; offset: number } }): Promise<JoinInfo>;

  /** Each resolves with the publication's offset from the server's ack. */
  sendLocation(latitude: number, longitude: number): Promise<number>;
  send(data: unknown): Promise<number>;
  setState(data: unknown): Promise<number>;

  history(options?: { since?: number; limit?: number }): Promise<HistoryResult>;
  presence(): Promise<Member[]>;
  /** Resolves once "destroyed" arrives; the client is then closed for good. */
  destroy(): Promise<void>;
  /** Closes for good; everything pending rejects with code "closed". */
  close(): void;

  /** Returns a function that removes the listener. */
  on<K extends keyof RoomkeyEvents>(name: K, listener: (value: RoomkeyEvents[K]) => void): () => void;
  off<K extends keyof RoomkeyEvents>(name: K, listener: (value: RoomkeyEvents[K]) => void): void;
  once<K extends keyof RoomkeyEvents>(name: K, listener: (value: RoomkeyEvents[K]) => void): () => void;
}
