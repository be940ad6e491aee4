"use server";

/**
 * The admin's server actions: each checks origin, session and CSRF token (adminAction), parses
 * the form with the API's zod schemas, and calls the same domain function the API would.
 */
import { revalidatePath } from "next/cache";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { ADMIN_COOKIE, login, logout } from "@/lib/admin/auth";
import {
  adminAction,
  checkbox,
  type FormState,
  integer,
  integers,
  jsonText,
  parseForm,
  submittedForm,
  text,
} from "@/lib/admin/forms";
import {
  clearSessionCookie,
  clientAddress,
  currentAdmin,
  requireAdminAction,
  safeNext,
  setSessionCookie,
} from "@/lib/admin/next";
import {
  AgentWriteSchema,
  AssignmentWriteSchema,
  SessionUpdateSchema,
  TeamWriteSchema,
  ToolWriteSchema,
} from "@/lib/contract/schemas";
import { createAgent, deleteAgent, updateAgent } from "@/lib/db/agents";
import { createTeam, deleteTeam, setDefaultTeam, updateTeam } from "@/lib/db/teams";
import { createTool, deleteTool, updateTool } from "@/lib/db/tools";
import { isTandemError, TandemError } from "@/lib/errors";
import { isSameOrigin } from "@/lib/request";
import { assignAgent, deleteSession, unassignAgent, updateAssignment, updateSession } from "@/lib/sessions";

const refresh = () => revalidatePath("/admin", "layout");
const id = (form: FormData, name = "id") => {
  const v = integer(form, name);
  if (typeof v !== "number" || v < 1) throw new TandemError("not_found", "Not found.");
  return v;
};

// ---------------------------------------------------------------------------------------------
// Login and logout
// ---------------------------------------------------------------------------------------------

export async function loginAction(_state: FormState, submitted: FormData): Promise<FormState> {
  const form = submittedForm(submitted);
  const username = text(form, "username");
  if (!isSameOrigin(await headers())) return { error: "Cross-site request refused.", values: { username } };
  const result = await login({ username, password: text(form, "password"), clientAddress: await clientAddress() });
  if (!result.ok) return { error: result.error, values: { username } };
  await setSessionCookie(result.cookieValue, result.expiresAt);
  redirect(safeNext(text(form, "next")));
}

export async function logoutAction(submitted: FormData): Promise<void> {
  const form = submittedForm(submitted);
  if (await currentAdmin()) {
    try {
      // The token is needed to log out too: no other site can sign an admin out.
      await requireAdminAction(form);
    } catch (e) {
      if (isTandemError(e)) redirect("/admin");
      throw e;
    }
    await logout((await cookies()).get(ADMIN_COOKIE)?.value);
  }
  await clearSessionCookie();
  redirect("/admin/login?signed_out=1");
}

// ---------------------------------------------------------------------------------------------
// Agents
// ---------------------------------------------------------------------------------------------

export const saveAgentAction = adminAction(async (_admin, form) => {
  const body = parseForm(AgentWriteSchema, {
    name: text(form, "name"),
    role: text(form, "role"),
    description: text(form, "description"),
    model_hint: text(form, "model_hint"),
    is_active: checkbox(form, "is_active"),
  });
  const input = {
    name: body.name,
    role: body.role,
    description: body.description,
    modelHint: body.model_hint,
    isActive: body.is_active,
  };
  const existing = text(form, "id");
  if (existing) {
    await updateAgent(id(form), input);
    refresh();
    return { notice: "Saved." };
  }
  const agent = await createAgent(input);
  refresh();
  redirect(`/admin/agents/${agent.id}?created=1`);
});

export const deleteAgentAction = adminAction(async (_admin, form) => {
  await deleteAgent(id(form)); // refused (409) while the agent is assigned to a session
  refresh();
  redirect("/admin/agents?deleted=1");
});

// ---------------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------------

export const saveToolAction = adminAction(async (_admin, form) => {
  const body = parseForm(ToolWriteSchema, {
    name: text(form, "name"),
    description: text(form, "description"),
    schema: jsonText(form, "schema"),
    is_active: checkbox(form, "is_active"),
  });
  const input = { name: body.name, description: body.description, schema: body.schema, isActive: body.is_active };
  if (text(form, "id")) {
    await updateTool(id(form), input);
    refresh();
    return { notice: "Saved." };
  }
  const tool = await createTool(input);
  refresh();
  redirect(`/admin/tools/${tool.id}?created=1`);
});

export const deleteToolAction = adminAction(async (_admin, form) => {
  await deleteTool(id(form));
  refresh();
  redirect("/admin/tools?deleted=1");
});

// ---------------------------------------------------------------------------------------------
// Teams: the members post as parallel fields in run order (member_key, member_agent,
// member_prompt), each row's tools as member_tools_<key>.
// ---------------------------------------------------------------------------------------------

function teamMembers(form: FormData) {
  const keys = form.getAll("member_key").map(String);
  const agents = form.getAll("member_agent").map(String);
  const prompts = form.getAll("member_prompt").map(String);
  return keys.map((key, i) => ({
    agent: /^\d{1,9}$/.test(agents[i] ?? "") ? Number(agents[i]) : 0,
    prompt_override: prompts[i] ?? "",
    tools: /^\d{1,6}$/.test(key) ? integers(form, `member_tools_${key}`) : [],
  }));
}

export const saveTeamAction = adminAction(async (_admin, form) => {
  const body = parseForm(TeamWriteSchema, {
    name: text(form, "name"),
    description: text(form, "description"),
    process: text(form, "process"),
    max_rounds: integer(form, "max_rounds"),
    is_default: checkbox(form, "is_default"),
    members: teamMembers(form),
  });
  const input = {
    name: body.name,
    description: body.description,
    process: body.process,
    maxRounds: body.max_rounds,
    isDefault: body.is_default,
    members: body.members.map((m) => ({ agentId: m.agent, promptOverride: m.prompt_override, toolIds: m.tools })),
  };
  if (text(form, "id")) {
    await updateTeam(id(form), input);
    refresh();
    return { notice: "Saved." };
  }
  const team = await createTeam(input);
  refresh();
  redirect(`/admin/teams/${team.id}?created=1`);
});

export const defaultTeamAction = adminAction(async (_admin, form) => {
  await setDefaultTeam(id(form));
  refresh();
  return { notice: "New chats now start with this team." };
});

export const deleteTeamAction = adminAction(async (_admin, form) => {
  if (!(await deleteTeam(id(form)))) throw new TandemError("not_found", "This team no longer exists.");
  refresh();
  redirect("/admin/teams?deleted=1");
});

// ---------------------------------------------------------------------------------------------
// Sessions and assignments (lib/sessions announces each change to open chat windows)
// ---------------------------------------------------------------------------------------------

export const saveSessionAction = adminAction(async (_admin, form) => {
  const body = parseForm(SessionUpdateSchema, {
    title: text(form, "title"),
    user_id: text(form, "user_id"),
    metadata: jsonText(form, "metadata"),
  });
  await updateSession(text(form, "session_id"), { title: body.title, userId: body.user_id, metadata: body.metadata });
  refresh();
  return { notice: "Saved." };
});

export const deleteSessionAction = adminAction(async (_admin, form) => {
  if (!(await deleteSession(text(form, "session_id"))))
    throw new TandemError("not_found", "This session no longer exists.");
  refresh();
  redirect("/admin/sessions?deleted=1");
});

function assignmentBody(form: FormData, agent: number | string) {
  return parseForm(AssignmentWriteSchema, {
    agent,
    order: integer(form, "order"),
    prompt_override: text(form, "prompt_override"),
    tools: integers(form, "tools"),
  });
}

export const addAssignmentAction = adminAction(async (_admin, form) => {
  const body = assignmentBody(form, integer(form, "agent"));
  await assignAgent(text(form, "session_id"), body.agent, {
    order: body.order,
    promptOverride: body.prompt_override,
    toolIds: body.tools,
  });
  refresh();
  return { notice: "Agent assigned." };
});

export const saveAssignmentAction = adminAction(async (_admin, form) => {
  const body = assignmentBody(form, 1);
  await updateAssignment(text(form, "session_id"), id(form, "assignment_id"), {
    order: body.order,
    promptOverride: body.prompt_override,
    toolIds: body.tools,
  });
  refresh();
  return { notice: "Saved." };
});

export const removeAssignmentAction = adminAction(async (_admin, form) => {
  await unassignAgent(text(form, "session_id"), id(form, "assignment_id"));
  refresh();
  return { notice: "Removed." };
});
