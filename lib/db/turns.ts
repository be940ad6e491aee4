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
import type { Prisma } from "@/generated/sqlite/client";
import { db, sql } from "./connection";
import type { MessageRow } from "./messages";
import { agentColumns, agentOf, messageColumns, messageOf, type RunNode, runNodeColumns, runNodeOf } from "./rows";
import { intOrNull, type Sql } from "./sql";

export type { RunNode } from "./rows";

export interface RunTree {
  runs: RunNode[];
  byId: Map<number, RunNode>;
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
  return { runs, byId: new Map(runs.map((r) => [r.id, r])), headRunId: intOrNull(session?.head_run_id) };
}

/** The started runs that follow `parentRunId` (null: the first turns), oldest first. */
export function childrenOf(tree: RunTree, parentRunId: number | null): RunNode[] {
  return tree.runs.filter((r) => r.parentRunId === parentRunId && r.status !== "queued");
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

/** Messages of the active path (plus legacy ones); `all`: every message of the session. */
function pathFilter(sessionPk: number, path: RunNode[] | "all"): Prisma.MessageWhereInput {
  if (path === "all") return { sessionId: sessionPk };
  const userMessageIds = path.map((r) => r.userMessageId).filter((id): id is number => id !== null);
  return {
    sessionId: sessionPk,
    OR: [{ runId: null }, { runId: { in: path.map((r) => r.id) } }, { id: { in: userMessageIds } }],
  };
}

const messageInclude = { agent: true } satisfies Prisma.MessageInclude;

/** History: the active path's messages (after `after`), chronological, and how many there are. */
export async function pathHistory(
  sessionPk: number,
  { after, limit, versions }: { after?: number; limit?: number; versions?: "all" },
) {
  const scope = pathFilter(sessionPk, versions ?? activePath(await loadRunTree(sessionPk)));
  const where: Prisma.MessageWhereInput = after === undefined ? scope : { AND: [scope, { id: { gt: after } }] };
  const [rows, total] = await Promise.all([
    db().message.findMany({
      where,
      include: messageInclude,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: limit,
    }),
    db().message.count({ where }),
  ]);
  return { rows, total };
}

/**
 * The newest `limit` user and agent messages of the active path, newest first: the model's
 * context window, read at every run's start. The session's newest messages are read a page at a
 * time and kept when on the path (pathFilter's rule, in memory); the path is read only as far up
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
  const messages = await db().message.findMany({
    where: { AND: [pathFilter(sessionPk, path), { runId: { not: null } }] },
    select: { id: true, runId: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
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
