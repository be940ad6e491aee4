import { ActionForm, Checkbox, SubmitButton, TextArea, TextField } from "@/app/admin/_components/forms";
import { saveAgentAction } from "@/app/admin/actions";

export function AgentForm(props: {
  csrf: string;
  /** Suggestions for the model hint (the offline model and the provider's list); any id may be typed. */
  models: string[];
  agent?: { id: number; name: string; role: string; description: string; modelHint: string; isActive: boolean };
}) {
  const a = props.agent;
  return (
    <ActionForm action={saveAgentAction} csrf={props.csrf} testId="agent-form" hidden={a ? { id: a.id } : undefined}>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField name="name" label="Name" defaultValue={a?.name} hint="unique" />
        <TextField name="role" label="Role" defaultValue={a?.role} placeholder="e.g. fact checker" />
      </div>
      <TextArea
        name="description"
        label="Description"
        hint="— the agent's system prompt"
        defaultValue={a?.description}
        rows={8}
      />
      <TextField
        name="model_hint"
        label="Model hint"
        defaultValue={a?.modelHint}
        hint="empty: TANDEM_MODEL; 'offline' forces the offline model"
        placeholder="gpt-4o-mini"
        list="model-suggestions"
      />
      <datalist id="model-suggestions" data-testid="model-suggestions">
        {props.models.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      <Checkbox
        name="is_active"
        label="Active"
        defaultChecked={a?.isActive ?? true}
        hint="— inactive agents skip their turn"
      />
      <SubmitButton testId="agent-save">{a ? "Save changes" : "Create agent"}</SubmitButton>
    </ActionForm>
  );
}
