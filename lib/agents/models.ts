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

/** How long the provider's model list is kept: it changes rarely, and the admin form asks often. */
const MODEL_LIST_TTL_MS = 5 * 60_000;
/** A provider that failed to list is asked again after this long (not at every page load). */
const MODEL_LIST_RETRY_MS = 30_000;

/**
 * The models an agent can be given: the offline model, then those the configured provider lists
 * (`GET {OPENAI_BASE_URL}/models`), cached; a provider that fails or is not configured lists none.
 */
export async function availableModels(): Promise<string[]> {
  if (!env.OPENAI_API_KEY) return [OFFLINE_MODEL_ID];
  const cache = singleton("model-list", () => ({ at: 0, ids: [] as string[] }));
  if (Date.now() - cache.at > MODEL_LIST_TTL_MS) {
    const ids = await providerModels().catch(() => null);
    cache.ids = ids ?? [];
    cache.at = ids ? Date.now() : Date.now() - MODEL_LIST_TTL_MS + MODEL_LIST_RETRY_MS;
  }
  return [OFFLINE_MODEL_ID, ...cache.ids.filter((id) => id !== OFFLINE_MODEL_ID)];
}

async function providerModels(): Promise<string[] | null> {
  const base = (env.OPENAI_BASE_URL ?? "https://api.openai.com/v1").replace(/\/+$/, "");
  const res = await fetch(`${base}/models`, {
    headers: { Authorization: `Bearer ${env.OPENAI_API_KEY}` },
    signal: AbortSignal.timeout(5_000),
  });
  if (!res.ok) throw new Error(`the provider answered ${res.status}`);
  const body = (await res.json()) as { data?: Array<{ id?: unknown }> };
  const ids = (body.data ?? []).flatMap((m) => (typeof m.id === "string" && m.id.length <= 128 ? [m.id] : []));
  return [...new Set(ids)].sort().slice(0, 500);
}
