"use server";

/**
 * The settings page's actions: personal API keys and share links. Each runs only for a signed-in
 * person posting from this origin (lib/accounts/next.ts actingUser).
 */
import { revalidatePath } from "next/cache";
import { createPersonalKey, revokePersonalKey, revokeShareLink, shareSession } from "@/lib/accounts/keys";
import { actingUser } from "@/lib/accounts/next";
import { isTandemError } from "@/lib/errors";

export interface SettingsState {
  /** A key just created: shown this once. */
  key?: string;
  error?: string;
}

async function attempt(work: () => Promise<SettingsState | undefined>): Promise<SettingsState> {
  try {
    const state = (await work()) ?? {};
    revalidatePath("/settings");
    return state;
  } catch (e) {
    return { error: isTandemError(e) || e instanceof Error ? e.message : "Something went wrong." };
  }
}

const idOf = (form: FormData) => Number(form.get("id")) || 0;

export async function createKeyAction(_prev: SettingsState, form: FormData): Promise<SettingsState> {
  return attempt(async () => {
    const me = await actingUser();
    const { key } = await createPersonalKey(me.userId, String(form.get("name") ?? ""));
    return { key };
  });
}

export async function revokeKeyAction(_prev: SettingsState, form: FormData): Promise<SettingsState> {
  return attempt(async () => revokePersonalKey((await actingUser()).userId, idOf(form)).then(() => undefined));
}

export async function shareAction(_prev: SettingsState, form: FormData): Promise<SettingsState> {
  return attempt(async () =>
    shareSession(await actingUser(), String(form.get("session_id") ?? "")).then(() => undefined),
  );
}

export async function unshareAction(_prev: SettingsState, form: FormData): Promise<SettingsState> {
  return attempt(async () => revokeShareLink(await actingUser(), idOf(form)).then(() => undefined));
}
