/**
 * Which language model serves an agent. `model_hint` picks it per agent (else TANDEM_MODEL);
 * without OPENAI_API_KEY, or for the hint "offline", the deterministic offline model serves.
 * OpenAI-compatible servers (OPENAI_BASE_URL) are reached through the Chat Completions API,
 * the one that Ollama, vLLM and LM Studio implement.
 */
import { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { env } from "@/lib/env";
import { singleton } from "@/lib/singleton";
import { createOfflineModel } from "./offline-model";

export const OFFLINE_MODEL_ID = "offline";

export interface ResolvedModel {
  model: LanguageModelV4;
  /** What the agent's messages record as `metadata.model`. */
  id: string;
  provider: "offline" | "openai";
}

const openai = () =>
  singleton("openai", () => createOpenAI({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL }));

const offline = () => singleton("offline-model", () => createOfflineModel({ delayMs: env.TANDEM_OFFLINE_DELAY_MS }));

export function modelFor(modelHint: string): ResolvedModel {
  const id = modelHint.trim() || env.TANDEM_MODEL;
  if (!env.OPENAI_API_KEY || id === OFFLINE_MODEL_ID) {
    return { model: offline(), id: OFFLINE_MODEL_ID, provider: "offline" };
  }
  return { model: openai().chat(id), id, provider: "openai" };
}
