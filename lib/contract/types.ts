/**
 * The wire objects and events as TypeScript types, inferred from the contract's schemas. The
 * server's serializers return them and the browser reads them (type-only imports: no schema
 * code reaches the bundle), so both sides change together.
 */
import type { z } from "zod";
import type {
  AcceptedSendSchema,
  AgentSchema,
  AssignmentSchema,
  MessageSchema,
  QueuedRunSchema,
  RatingSchema,
  RunLogSchema,
  SearchResultSchema,
  SessionSchema,
  SessionStateSchema,
  SessionSummarySchema,
  TeamSchema,
  ToolSchema,
  TurnSchema,
} from "./schemas";

export type Json = z.core.util.JSONType;
export type Agent = z.infer<typeof AgentSchema>;
export type Tool = z.infer<typeof ToolSchema>;
export type Assignment = z.infer<typeof AssignmentSchema>;
export type Session = z.infer<typeof SessionSchema>;
export type Team = z.infer<typeof TeamSchema>;
export type SessionSummary = z.infer<typeof SessionSummarySchema>;
export type Message = z.infer<typeof MessageSchema>;
export type Rating = z.infer<typeof RatingSchema>;
export type RunLog = z.infer<typeof RunLogSchema>;
export type SessionState = z.infer<typeof SessionStateSchema>;
export type SearchResult = z.infer<typeof SearchResultSchema>;
export type SendAccepted = z.infer<typeof AcceptedSendSchema>;
export type QueuedRun = z.infer<typeof QueuedRunSchema>;
export type Turn = z.infer<typeof TurnSchema>;

export type { ChatEvent, ControlFrame, EventName, EventPayload } from "./events";
export type { MessageRole, RunStatus } from "./schemas";
