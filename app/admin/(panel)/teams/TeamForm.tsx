"use client";

import { useState } from "react";
import {
  ActionForm,
  Checkbox,
  FieldErrors,
  SelectField,
  SubmitButton,
  TextArea,
  TextField,
} from "@/app/admin/_components/forms";
import { saveTeamAction } from "@/app/admin/actions";

export interface TeamFormMember {
  agentId: number;
  promptOverride: string;
  toolIds: number[];
}

interface Row extends TeamFormMember {
  /** Stable across reorders: names the row's tool checkboxes (`member_tools_<key>`). */
  key: number;
}

const small =
  "inline-flex h-8 items-center justify-center rounded-control border border-line bg-surface px-2.5 text-xs font-medium text-ink hover:bg-subtle disabled:opacity-40";
const field =
  "block w-full rounded-control border border-line-strong bg-surface px-3 py-2 text-sm text-ink shadow-soft focus:border-primary focus:outline-none focus:ring-2 focus:ring-primary-ring";

/** The process select's words: what each process does with the members. */
const PROCESS_LABELS: Record<string, string> = {
  sequential: "Sequential: each member once, in order",
  review: "Review: the last member reviews the others' draft, in rounds",
  consult: "Consult: in order, and members may ask each other questions",
};

/**
 * A team: its fields, then its members in run order (each an agent, its tools and a prompt
 * override), which can be added, removed and moved. The rows post in their order.
 */
export function TeamForm(props: {
  csrf: string;
  agents: Array<{ id: number; name: string; isActive: boolean }>;
  tools: Array<{ id: number; name: string }>;
  processes: readonly string[];
  team?: {
    id: number;
    name: string;
    description: string;
    process: string;
    maxRounds: number;
    isDefault: boolean;
    members: TeamFormMember[];
  };
}) {
  const t = props.team;
  const [rows, setRows] = useState<Row[]>(() =>
    (t?.members ?? [{ agentId: props.agents[0]?.id ?? 0, promptOverride: "", toolIds: [] }]).map((m, key) => ({
      ...m,
      key,
    })),
  );
  const [nextKey, setNextKey] = useState(rows.length);

  const change = (key: number, patch: Partial<Row>) =>
    setRows((all) => all.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const move = (index: number, by: -1 | 1) =>
    setRows((all) => {
      const next = [...all];
      [next[index], next[index + by]] = [next[index + by], next[index]];
      return next;
    });
  const add = () => {
    const used = new Set(rows.map((r) => r.agentId));
    const agent = props.agents.find((a) => !used.has(a.id)) ?? props.agents[0];
    setRows((all) => [...all, { key: nextKey, agentId: agent?.id ?? 0, promptOverride: "", toolIds: [] }]);
    setNextKey((k) => k + 1);
  };

  return (
    <ActionForm action={saveTeamAction} csrf={props.csrf} testId="team-form" hidden={t ? { id: t.id } : undefined}>
      <TextField name="name" label="Name" defaultValue={t?.name} hint="unique" />
      <TextArea
        name="description"
        label="Description"
        hint="— one line the chat's welcome screen shows"
        defaultValue={t?.description}
        rows={2}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          name="process"
          label="Process"
          options={props.processes.map((p) => [p, PROCESS_LABELS[p] ?? p])}
          defaultValue={t?.process ?? "sequential"}
        />
        <TextField
          name="max_rounds"
          label="Max rounds"
          type="number"
          defaultValue={t?.maxRounds ?? 3}
          hint="1-10 — review: drafts and verdicts before the run ends"
        />
      </div>
      <Checkbox
        name="is_default"
        label="Default team"
        defaultChecked={t?.isDefault ?? false}
        hint="— new chats start with it"
      />

      <fieldset className="space-y-3" data-testid="team-members">
        <legend className="mb-1 text-sm font-medium text-ink">Members, in run order</legend>
        {rows.map((row, i) => {
          const agent = props.agents.find((a) => a.id === row.agentId);
          const n = i + 1;
          return (
            <div
              key={row.key}
              data-testid="member-row"
              data-agent={agent?.name ?? ""}
              className="space-y-3 rounded-card border border-line bg-subtle/40 p-3"
            >
              <input type="hidden" name="member_key" value={row.key} />
              <div className="flex flex-wrap items-end gap-2">
                <div className="min-w-40 flex-1">
                  <label htmlFor={`member-agent-${row.key}`} className="mb-1 block text-sm font-medium text-ink">
                    {n}. Agent
                  </label>
                  <select
                    id={`member-agent-${row.key}`}
                    name="member_agent"
                    data-testid="member-agent"
                    value={row.agentId}
                    onChange={(e) => change(row.key, { agentId: Number(e.target.value) })}
                    className={field}
                  >
                    {props.agents.map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.isActive ? a.name : `${a.name} (inactive)`}
                      </option>
                    ))}
                  </select>
                </div>
                <button
                  type="button"
                  className={small}
                  data-testid="member-up"
                  disabled={i === 0}
                  onClick={() => move(i, -1)}
                  aria-label={`Move member ${n} up`}
                >
                  ↑ Up
                </button>
                <button
                  type="button"
                  className={small}
                  data-testid="member-down"
                  disabled={i === rows.length - 1}
                  onClick={() => move(i, 1)}
                  aria-label={`Move member ${n} down`}
                >
                  ↓ Down
                </button>
                <button
                  type="button"
                  className={`${small} text-danger-ink`}
                  data-testid="member-remove"
                  onClick={() => setRows((all) => all.filter((r) => r.key !== row.key))}
                  aria-label={`Remove member ${n}`}
                >
                  Remove
                </button>
              </div>
              <fieldset>
                <legend className="mb-1 text-sm font-medium text-ink">Tools of member {n}</legend>
                <div className="flex flex-wrap gap-x-4 gap-y-1.5">
                  {props.tools.map((tool) => (
                    <label key={tool.id} className="inline-flex items-center gap-1.5 text-sm text-ink-soft">
                      <input
                        type="checkbox"
                        name={`member_tools_${row.key}`}
                        value={tool.id}
                        data-testid={`member-tool-${tool.name}`}
                        checked={row.toolIds.includes(tool.id)}
                        onChange={(e) =>
                          change(row.key, {
                            toolIds: e.target.checked
                              ? [...row.toolIds, tool.id]
                              : row.toolIds.filter((id) => id !== tool.id),
                          })
                        }
                        className="h-4 w-4 rounded border-line-strong accent-primary"
                      />
                      {tool.name}
                    </label>
                  ))}
                </div>
              </fieldset>
              <div>
                <label htmlFor={`member-prompt-${row.key}`} className="mb-1 block text-sm font-medium text-ink">
                  Prompt override of member {n}
                  <span className="ml-1.5 font-normal text-muted">— added to the agent's prompt on this team</span>
                </label>
                <textarea
                  id={`member-prompt-${row.key}`}
                  name="member_prompt"
                  data-testid="member-prompt"
                  rows={2}
                  value={row.promptOverride}
                  onChange={(e) => change(row.key, { promptOverride: e.target.value })}
                  className={field}
                />
              </div>
            </div>
          );
        })}
        <FieldErrors name="members" />
        <button type="button" className={small} data-testid="add-member" onClick={add}>
          + Add member
        </button>
      </fieldset>
      <SubmitButton testId="team-save">{t ? "Save changes" : "Create team"}</SubmitButton>
    </ActionForm>
  );
}
