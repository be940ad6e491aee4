/**
 * The conversation as a tree of runs, and its active path: the one place that decides which
 * messages a person (history), the model (the context window) and the turns endpoint see.
 *
 * A turn is one run: its user message (`userMessageId`) and the messages whose `runId` is the run
 * (agents', tools', steering). Runs hang below the run whose turn they follow (`parentRunId`);
 * siblings are versions of one turn. The active path starts at the session's head run: its
 * ancestors, then from the head down the newest started child at each fork. Queued runs are never
 * on it. Messages from before runs were recorded on messages (`runId` null) are always shown.
 */
import { sql } from "./connection";
import type { MessageRow } from "./messages";
import { agentColumns, agentOf, messageColumns, messageOf, type RunNode, runNodeColumns, runNodeOf } from "./rows";
import { intOrNull, type Sql, type SqlValue } from "./sql";

export type { RunNode } from "./rows";

export interface RunTree {
  byId: Map<number, RunNode>;
  /** The started runs below each run (null: the first turns), oldest first. */
  children: Map<number | null, RunNode[]>;
  headRunId: number | null;
}

/** The session's runs and head, read once and walked in memory. */
export async function loadRunTree(sessionPk: number): Promise<RunTree> {
  const [session] = await sql().all<{ head_run_id: number | null }>(
    "SELECT head_run_id FROM chat_session WHERE id = ?",
    [sessionPk],
  );
  const runs = (
    await sql().all(`SELECT ${runNodeColumns} FROM run_log r WHERE r.session_id = ? ORDER BY r.id`, [sessionPk])
  ).map(runNodeOf);
  const children = new Map<number | null, RunNode[]>();
  for (const r of runs) {
    if (r.status === "queued") continue;
    const siblings = children.get(r.parentRunId);
    if (siblings) siblings.push(r);
    else children.set(r.parentRunId, [r]);
  }
  return { byId: new Map(runs.map((r) => [r.id, r])), children, headRunId: intOrNull(session?.head_run_id) };
}

/** The started runs that follow `parentRunId` (null: the first turns), oldest first. */
export function childrenOf(tree: RunTree, parentRunId: number | null): RunNode[] {
  return tree.children.get(parentRunId) ?? [];
}

/** The active path, oldest turn first ([] when no run was chosen yet). */
export function activePath(tree: RunTree): RunNode[] {
  const head = tree.headRunId === null ? undefined : tree.byId.get(tree.headRunId);
  if (!head || head.status === "queued") return [];
  const path: RunNode[] = [];
  const seen = new Set<number>();
  for (let r: RunNode | undefined = head; r && !seen.has(r.id); r = tree.byId.get(r.parentRunId ?? -1)) {
    seen.add(r.id);
    path.unshift(r);
  }
  for (let r = head; ; ) {
    const next = childrenOf(tree, r.id).at(-1);
    if (!next || seen.has(next.id)) break;
    seen.add(next.id);
    path.push(next);
    r = next;
  }
  return path;
}

/**
 * Where a new turn hangs: the last run of the active path (null: the first turn). activePath's
 * descent, in SQL: from the head down the newest started child at each fork, one indexed lookup
 * per step (the head is usually the end), so a send does not read the session's every run.
 */
export async function pathEnd(sessionPk: number, client: Sql = sql()): Promise<number | null> {
  const [head] = await client.all<{ id: number }>(
    "SELECT r.id FROM chat_session s JOIN run_log r ON r.id = s.head_run_id WHERE s.id = ? AND r.status <> 'queued'",
    [sessionPk],
  );
  let end = intOrNull(head?.id);
  for (const seen = new Set<number>(); end !== null && !seen.has(end); ) {
    seen.add(end);
    const [child] = await client.all<{ id: number | null }>(
      "SELECT MAX(id) AS id FROM run_log WHERE session_id = ? AND parent_run_id = ? AND status <> 'queued'",
      [sessionPk, end],
    );
    const next = intOrNull(child?.id);
    if (next === null) break;
    end = next;
  }
  return end;
}

/** The turn a run belongs to: a continuation folds into the run it resumes (and so on up). */
export function turnRoot(tree: RunTree, run: RunNode): RunNode {
  let r = run;
  const seen = new Set<number>();
  while (r.kind === "continue" && r.resumesRunId !== null && !seen.has(r.id)) {
    seen.add(r.id);
    const resumed = tree.byId.get(r.resumesRunId);
    if (!resumed) break;
    r = resumed;
  }
  return r;
}

/**
 * The active path's runs as a query (`path`: id, user_message_id, parent_run_id): the end of the
 * path (pathEnd) and its ancestors, so a statement needs no list of ids, however long the chat.
 */
const ACTIVE_PATH = `WITH RECURSIVE path (id, user_message_id, parent_run_id) AS (
    SELECT id, user_message_id, parent_run_id FROM run_log WHERE id = ?
    UNION
    SELECT r.id, r.user_message_id, r.parent_run_id FROM run_log r JOIN path p ON r.id = p.parent_run_id
  )`;
/** A message on the active path: its run's or its run's user message, or from before runs. */
const ON_PATH = "(m.run_id IS NULL OR m.run_id IN (SELECT id FROM path) OR m.id IN (SELECT user_message_id FROM path))";

/**
 * History: the active path's messages (`all`: every version's) after `after`, chronological, and
 * how many there are from `after` on.
 */
export async function pathHistory(
  sessionPk: number,
  { after, limit, versions }: { after?: number; limit?: number; versions?: "all" },
): Promise<{ rows: MessageRow[]; total: number }> {
  const scope: [string, SqlValue[]] =
    versions === "all"
      ? ["", [sessionPk, after ?? 0]]
      : [ACTIVE_PATH, [await pathEnd(sessionPk), sessionPk, after ?? 0]];
  const where = `WHERE m.session_id = ? AND m.id > ?${versions === "all" ? "" : ` AND ${ON_PATH}`}`;
  const rows = (
    await sql().all(
      `${scope[0]} SELECT ${messageColumns}, ${agentColumns} FROM message m LEFT JOIN agent a ON a.id = m.agent_id
       ${where} ORDER BY m.created_at, m.id${limit === undefined ? "" : " LIMIT ?"}`,
      limit === undefined ? scope[1] : [...scope[1], limit],
    )
  ).map((r) => ({ ...messageOf(r), agent: agentOf(r) }));
  // A page shorter than its limit is the rest: only a full page needs counting.
  if (limit === undefined || rows.length < limit) return { rows, total: rows.length };
  const [{ n }] = await sql().all<{ n: number | string }>(
    `${scope[0]} SELECT COUNT(*) AS n FROM message m ${where}`,
    scope[1],
  );
  return { rows, total: Number(n) };
}

/**
 * The newest `limit` user and agent messages of the active path, newest first: the model's
 * context window, read at every run's start. The session's newest messages are read a page at a
 * time and kept when on the path (ON_PATH's rule, in memory); the path is read only as far up
 * as the page reaches: a run hangs below an older one (a send below the path's end when it starts,
 * and runs start in id order; the other kinds below an existing run), so the ancestors with ids
 * from the page's oldest run up are all a page needs. A send costs the same at any history length.
 */
export async function pathContext(sessionPk: number, limit: number): Promise<MessageRow[]> {
  const runs = new Set<number>();
  const userMessages = new Set<number>();
  let above = await pathEnd(sessionPk); // the next ancestor to read, null once the root is read
  const onPath = (m: MessageRow) => m.runId === null || runs.has(m.runId) || userMessages.has(m.id);
  const page = limit + 10; // a linear chat fits in one page; other versions add pages
  const found: MessageRow[] = [];
  for (let offset = 0; found.length < limit; offset += page) {
    const rows = (
      await sql().all(
        `SELECT ${messageColumns}, ${agentColumns} FROM message m LEFT JOIN agent a ON a.id = m.agent_id
         WHERE m.session_id = ? AND m.role IN ('user', 'agent')
         ORDER BY m.created_at DESC, m.id DESC LIMIT ? OFFSET ?`,
        [sessionPk, page, offset],
      )
    ).map((r) => ({ ...messageOf(r), agent: agentOf(r) }));
    const oldest = Math.min(...rows.map((m) => m.runId ?? Number.POSITIVE_INFINITY));
    if (above !== null && above >= oldest) {
      const ancestors = await sql().all<{ id: number; user_message_id: number | null; parent_run_id: number | null }>(
        `WITH RECURSIVE path (id, user_message_id, parent_run_id) AS (
           SELECT id, user_message_id, parent_run_id FROM run_log WHERE id = ?
           UNION
           SELECT r.id, r.user_message_id, r.parent_run_id FROM run_log r JOIN path p ON r.id = p.parent_run_id
           WHERE r.id >= ?
         )
         SELECT id, user_message_id, parent_run_id FROM path ORDER BY id`,
        [above, oldest],
      );
      for (const r of ancestors) {
        runs.add(Number(r.id));
        const userMessageId = intOrNull(r.user_message_id);
        if (userMessageId !== null) userMessages.add(userMessageId);
      }
      above = intOrNull(ancestors[0]?.parent_run_id);
    }
    for (const m of rows) if (onPath(m) && found.length < limit) found.push(m);
    if (rows.length < page) break;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Turns as the UI shows them
// ---------------------------------------------------------------------------------------------

export interface Turn {
  run: RunNode;
  /** The continuations folded into this turn, oldest first; the turn's state is the latest's. */
  continuedBy: RunNode[];
  messageIds: number[];
  /** Answer versions: sibling runs for the same user message, oldest first. */
  versions: number[];
  /** Message versions: the distinct user messages among the siblings, with the newest run of each. */
  edits: { userMessageIds: number[]; runIds: number[] };
}

const isVersion = (r: RunNode) => r.kind !== "continue";

export async function sessionTurns(sessionPk: number): Promise<Turn[]> {
  const tree = await loadRunTree(sessionPk);
  const path = activePath(tree);
  // The session's run messages, kept in memory when on the path (ON_PATH's rule).
  const runIds = new Set(path.map((r) => r.id));
  const userMessageIds = new Set(path.map((r) => r.userMessageId));
  const messages = (
    await sql().all<{ id: number; run_id: number }>(
      "SELECT id, run_id FROM message WHERE session_id = ? AND run_id IS NOT NULL ORDER BY created_at, id",
      [sessionPk],
    )
  )
    .map((m) => ({ id: Number(m.id), runId: Number(m.run_id) }))
    .filter((m) => runIds.has(m.runId) || userMessageIds.has(m.id));
  const turns: Turn[] = [];
  for (const run of path) {
    const root = turnRoot(tree, run);
    const last = turns.at(-1);
    if (root !== run && last?.run === root) {
      last.continuedBy.push(run);
      continue;
    }
    const siblings = childrenOf(tree, root.parentRunId).filter(isVersion);
    const versions = siblings.filter((r) => r.userMessageId === root.userMessageId).map((r) => r.id);
    const edits = { userMessageIds: [] as number[], runIds: [] as number[] };
    for (const r of siblings) {
      if (r.userMessageId === null) continue;
      const at = edits.userMessageIds.indexOf(r.userMessageId);
      if (at === -1) {
        edits.userMessageIds.push(r.userMessageId);
        edits.runIds.push(r.id);
      } else edits.runIds[at] = r.id;
    }
    turns.push({ run: root, continuedBy: [], messageIds: [], versions, edits });
  }
  const turnOf = new Map<number, Turn>();
  for (const t of turns) for (const r of [t.run, ...t.continuedBy]) turnOf.set(r.id, t);
  const userOf = new Map(turns.map((t) => [t.run.userMessageId, t]));
  for (const m of messages) userOf.get(m.id)?.messageIds.push(m.id);
  for (const m of messages) if (!userOf.has(m.id)) turnOf.get(m.runId!)?.messageIds.push(m.id);
  return turns;
}
