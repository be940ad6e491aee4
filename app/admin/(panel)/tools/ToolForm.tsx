import { ActionForm, Checkbox, SubmitButton, TextArea, TextField } from "@/app/admin/_components/forms";
import { saveToolAction } from "@/app/admin/actions";

const EXAMPLE = JSON.stringify(
  { type: "object", properties: { query: { type: "string", description: "What to look up" } }, required: ["query"] },
  null,
  2,
);

export function ToolForm(props: {
  csrf: string;
  tool?: { id: number; name: string; description: string; schema: unknown; isActive: boolean };
}) {
  const t = props.tool;
  return (
    <ActionForm action={saveToolAction} csrf={props.csrf} testId="tool-form" hidden={t ? { id: t.id } : undefined}>
      <TextField name="name" label="Name" defaultValue={t?.name} hint="letters, digits, _ and -" />
      <TextArea
        name="description"
        label="Description"
        hint="— what the model reads to decide when to call it"
        defaultValue={t?.description}
        rows={3}
      />
      <TextArea
        name="schema"
        label="Parameters (JSON Schema)"
        hint="— an object schema, draft 2020-12 or draft-07; empty for none"
        defaultValue={t ? (t.schema == null ? "" : JSON.stringify(t.schema, null, 2)) : EXAMPLE}
        rows={12}
        mono
      />
      <Checkbox
        name="is_active"
        label="Active"
        defaultChecked={t?.isActive ?? true}
        hint="— inactive tools are not offered to agents"
      />
      <SubmitButton testId="tool-save">{t ? "Save changes" : "Create tool"}</SubmitButton>
    </ActionForm>
  );
}
