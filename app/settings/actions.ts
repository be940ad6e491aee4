"use server";

/**
 * The settings page's actions: personal API keys and share links. Each runs only for a signed-in
 * person posting from this origin (the edge refuses other origins' server actions too).
 */
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { createPersonalKey, revokePersonalKey, revokeShareLink, shareSession } from "@/lib/accounts/keys";
import { currentUser } from "@/lib/accounts/next";
import type { Principal } from "@/lib/accounts/principal";
import { isTandemError } from "@/lib/errors";
import { isSameOrigin } from "@/lib/request";

export interface SettingsState {
  /** A key just created: shown this once. */
  key?: string;
  error?: string;
}

async function signedIn(): Promise<Principal & { kind: "user" }> {
  if (!isSameOrigin(await headers())) throw new Error("Cross-site request refused.");
  const user = await currentUser();
  if (!user) throw new Error("Your session has ended; sign in again.");
  return { kind: "user", userId: user.id, admin: user.admin };
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
    const me = await signedIn();
    const { key } = await createPersonalKey(me.userId, String(form.get("name") ?? ""));
    return { key };
  });
}

export async function revokeKeyAction(_prev: SettingsState, form: FormData): Promise<SettingsState> {
  return attempt(async () => revokePersonalKey((await signedIn()).userId, idOf(form)).then(() => undefined));
}

export async function shareAction(_prev: SettingsState, form: FormData): Promise<SettingsState> {
  return attempt(async () =>
    shareSession(await signedIn(), String(form.get("session_id") ?? "")).then(() => undefined),
  );
}

export async function unshareAction(_prev: SettingsState, form: FormData): Promise<SettingsState> {
  return attempt(async () => revokeShareLink(await signedIn(), idOf(form)).then(() => undefined));
}
