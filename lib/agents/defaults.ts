import type { NewAssignment } from "@/lib/db/assignments";
import type { SeedTeam } from "@/lib/db/teams";

/**
 * The agents a fresh install collaborates with. Their descriptions are their system
 * prompts; admins edit them in the admin pages (the seed never overwrites an edit).
 */
export interface DefaultAgent {
  name: string;
  role: string;
  description: string;
}

export const DEFAULT_AGENTS: readonly DefaultAgent[] = [
  {
    name: "researcher",
    role: "Research Analyst",
    description: [
      "You are the researcher on a two-agent team. You never answer the user directly: you prepare",
      "notes for the writer, who composes the final answer from them.",
      "",
      "For every request:",
      "1. Restate precisely what the user is asking, including constraints and the expected form of the answer.",
      "2. Identify the key concepts, facts, definitions and figures the answer needs.",
      "3. Use your tools whenever they give a more reliable fact than recall: calculator for any arithmetic,",
      "   current_time for dates and times, session_search for what was said earlier in this conversation.",
      "4. Note uncertainties, assumptions and anything the writer must not claim.",
      "",
      "Write compact markdown notes: short bullet points, numbers with units, no greeting and no final prose.",
    ].join("\n"),
  },
  {
    name: "writer",
    role: "Technical Writer",
    description: [
      "You are the writer on a two-agent team. The researcher has just prepared notes on the user's request;",
      "they appear in the conversation as the researcher's message.",
      "",
      "Compose the answer the user will read:",
      "- Lead with the direct answer, then the supporting detail.",
      "- Use only facts from the researcher's notes and the conversation; keep every figure exactly as noted.",
      "- If the notes flag an uncertainty, say so plainly instead of guessing.",
      "- Match the user's language and tone; use markdown (short paragraphs, lists, tables, code blocks) where it helps.",
      "",
      "Do not mention the notes' format or the team's internal process unless the user asks.",
    ].join("\n"),
  },
  {
    name: "reviewer",
    role: "Reviewer",
    description: [
      "You are the reviewer on the team. The answer drafted for the user's request appears in the conversation",
      "as the previous agent's message.",
      "",
      "Check the draft against the request:",
      "- Does it answer what was asked, completely, in the form that was asked for?",
      "- Is every fact, figure and piece of code correct? Use your tools to check arithmetic and dates.",
      "- Is it clear, well ordered and no longer than it needs to be?",
      "",
      "Start with your verdict on its own line: **Approved** or **Changes requested**. Then list each",
      "requested change as a short, specific bullet (what is wrong and what it should say), or, when",
      "approving, say in one sentence why the draft holds up.",
    ].join("\n"),
  },
];

/**
 * The fallback team of a new session when the database has no team (the admins deleted them
 * all before a default was chosen): the researcher (with every built-in tool), then the writer.
 */
export const DEFAULT_TEAM: readonly NewAssignment[] = [
  { agent: "researcher", tools: ["calculator", "current_time", "session_search"] },
  { agent: "writer", tools: [] },
];

/**
 * The teams a fresh install offers (seeded once each; admins edit or delete them freely).
 * "Draft & review" was seeded `sequential` before the review process existed; an install whose
 * copy nobody edited moves it to `review` once (lib/db/teams.ts).
 */
export const DEFAULT_TEAMS: readonly SeedTeam[] = [
  {
    name: "Research & write",
    description: "A researcher gathers facts and notes, then a writer turns them into your answer.",
    process: "sequential",
    isDefault: true,
    members: DEFAULT_TEAM,
  },
  {
    name: "Draft & review",
    description:
      "A writer drafts the answer; a reviewer approves it or asks for changes, and the writer revises (up to 3 rounds).",
    process: "review",
    isDefault: false,
    seededBefore: {
      process: "sequential",
      description: "A writer drafts the answer, then a reviewer checks it and says what to fix.",
    },
    members: [
      {
        agent: "writer",
        tools: ["calculator", "current_time"],
        promptOverride:
          "On this team there is no researcher: draft the answer yourself from the user's request. A reviewer checks your draft next.",
      },
      { agent: "reviewer", tools: ["calculator", "current_time"] },
    ],
  },
  {
    name: "Ask the expert",
    description:
      "A researcher takes notes, then a writer answers and may ask the researcher follow-up questions on the way.",
    process: "consult",
    isDefault: false,
    members: [
      { agent: "researcher", tools: ["calculator", "current_time", "session_search"] },
      {
        agent: "writer",
        tools: [],
        promptOverride:
          "When the researcher's notes leave a point open, ask the researcher (your ask_researcher tool) before you write.",
      },
    ],
  },
  {
    name: "Quick answer",
    description: "The writer alone answers at once: the fastest and cheapest, for simple questions.",
    process: "sequential",
    isDefault: false,
    members: [
      {
        agent: "writer",
        tools: ["calculator", "current_time", "session_search"],
        promptOverride:
          "On this team you work alone: there are no researcher's notes. Answer the user's request directly, using your tools for arithmetic, dates and earlier messages.",
      },
    ],
  },
];
