/**
 * Search across conversations by the words of any message, on each database's own full-text
 * index (made by the `search` migrations, kept in step by triggers): SQLite's FTS5 table
 * `message_fts` ranked by bm25, PostgreSQL's table `message_search` of stored tsvectors (GIN
 * index) ranked by ts_rank. Every word must match, each as a prefix ("gear" finds "gears"). Only
 * finished messages are indexed: a streaming message is found once its run has finished it.
 */
import { Prisma } from "@/generated/sqlite/client";
import { MATCH_END, MATCH_START } from "@/lib/text";
import { db } from "./connection";
import { type Page, postgres } from "./orm";

/** At most this many words of a query count; each at most this long. */
const MAX_WORDS = 8;
const MAX_WORD_LENGTH = 64;

/** The query's words: runs of letters and digits (in any script), lowercased. */
export function searchWords(q: string): string[] {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.map((w) => w.slice(0, MAX_WORD_LENGTH)))].slice(0, MAX_WORDS);
}

export interface SearchHit {
  messageId: number;
  sessionId: string;
  sessionTitle: string;
  role: string;
  agent: string | null;
  createdAt: Date;
  /** Text around the matches, with each match between MATCH_START and MATCH_END. */
  snippet: string;
}

type Row = {
  id: number | bigint;
  session_id: string;
  title: string;
  role: string;
  agent: string | null;
  created_at: Date | string | number;
  snippet: string;
};

/** Searches every session's messages, or (with `ownerId`) only the sessions that user owns. */
export async function searchMessages(
  q: string,
  { limit, offset, ownerId }: Required<Page> & { ownerId?: string },
): Promise<{ hits: SearchHit[]; total: number }> {
  const words = searchWords(q);
  if (words.length === 0) return { hits: [], total: 0 };
  const owned = ownerId === undefined ? Prisma.empty : Prisma.sql`AND s.owner_id = ${ownerId}`;
  const [rows, counted] = postgres()
    ? await searchPostgres(words, limit, offset, owned)
    : await searchSqlite(words, limit, offset, owned);
  return {
    hits: rows.map((r) => ({
      messageId: Number(r.id),
      sessionId: r.session_id,
      sessionTitle: r.title,
      role: r.role,
      agent: r.agent,
      createdAt: new Date(r.created_at),
      snippet: r.snippet,
    })),
    total: Number(counted[0]?.n ?? 0),
  };
}

function searchSqlite(words: string[], limit: number, offset: number, owned: Prisma.Sql) {
  // Each word a quoted prefix term: nothing a person types is read as FTS5 syntax.
  const match = words.map((w) => `"${w.replaceAll('"', '""')}"*`).join(" ");
  return Promise.all([
    db().$queryRaw<Row[]>`
      SELECT m.id, s.session_id, s.title, m.role, a.name AS agent, m.created_at,
             snippet(message_fts, 0, ${MATCH_START}, ${MATCH_END}, '…', 24) AS snippet
      FROM message_fts
      JOIN message m ON m.id = message_fts.rowid
      JOIN chat_session s ON s.id = m.session_id
      LEFT JOIN agent a ON a.id = m.agent_id
      WHERE message_fts MATCH ${match} ${owned}
      ORDER BY bm25(message_fts), m.id DESC
      LIMIT ${limit} OFFSET ${offset}`,
    owned === Prisma.empty
      ? db().$queryRaw<{ n: number | bigint }[]>`
          SELECT COUNT(*) AS n FROM message_fts WHERE message_fts MATCH ${match}`
      : db().$queryRaw<{ n: number | bigint }[]>`
          SELECT COUNT(*) AS n FROM message_fts
          JOIN message m ON m.id = message_fts.rowid
          JOIN chat_session s ON s.id = m.session_id
          WHERE message_fts MATCH ${match} ${owned}`,
  ]);
}

function searchPostgres(words: string[], limit: number, offset: number, owned: Prisma.Sql) {
  // Words are letters and digits only, so `word:*` joined by `&` is always a valid tsquery.
  const query = Prisma.sql`to_tsquery('simple', ${words.map((w) => `${w}:*`).join(" & ")})`;
  // Ranked on the stored vectors alone (joined to their sessions only to keep an owner's), so a
  // common word's many matches are not joined or parsed again; only the page's rows are.
  const matches =
    owned === Prisma.empty
      ? Prisma.sql`FROM message_search ms WHERE ms.vector @@ ${query}`
      : Prisma.sql`FROM message_search ms
          JOIN message m ON m.id = ms.message_id
          JOIN chat_session s ON s.id = m.session_id
          WHERE ms.vector @@ ${query} ${owned}`;
  return Promise.all([
    db().$queryRaw<Row[]>`
      WITH page AS (
        SELECT ms.message_id, ts_rank(ms.vector, ${query}) AS rank ${matches}
        ORDER BY rank DESC, ms.message_id DESC
        LIMIT ${limit} OFFSET ${offset}
      )
      SELECT m.id, s.session_id, s.title, m.role::text AS role, a.name AS agent, m.created_at,
             ts_headline('simple', m.content, ${query},
               ${`StartSel=${MATCH_START}, StopSel=${MATCH_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`}) AS snippet
      FROM page
      JOIN message m ON m.id = page.message_id
      JOIN chat_session s ON s.id = m.session_id
      LEFT JOIN agent a ON a.id = m.agent_id
      ORDER BY page.rank DESC, m.id DESC`,
    db().$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS n ${matches}`,
  ]);
}
