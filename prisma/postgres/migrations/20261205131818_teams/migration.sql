-- CreateTable
CREATE TABLE "team" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "process" TEXT NOT NULL DEFAULT 'sequential',
    "max_rounds" INTEGER NOT NULL DEFAULT 3,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "team_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "team_member" (
    "id" SERIAL NOT NULL,
    "team_id" INTEGER NOT NULL,
    "agent_id" INTEGER NOT NULL,
    "order" INTEGER NOT NULL DEFAULT 0,
    "prompt_override" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "team_member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_TeamMemberToTool" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,

    CONSTRAINT "_TeamMemberToTool_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateIndex
CREATE UNIQUE INDEX "team_name_key" ON "team"("name");

-- CreateIndex
CREATE INDEX "team_member_agent_id_idx" ON "team_member"("agent_id");

-- CreateIndex
CREATE UNIQUE INDEX "team_member_team_id_agent_id_key" ON "team_member"("team_id", "agent_id");

-- CreateIndex
CREATE INDEX "_TeamMemberToTool_B_index" ON "_TeamMemberToTool"("B");

-- AddForeignKey
ALTER TABLE "team_member" ADD CONSTRAINT "team_member_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "team_member" ADD CONSTRAINT "team_member_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_TeamMemberToTool" ADD CONSTRAINT "_TeamMemberToTool_A_fkey" FOREIGN KEY ("A") REFERENCES "team_member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_TeamMemberToTool" ADD CONSTRAINT "_TeamMemberToTool_B_fkey" FOREIGN KEY ("B") REFERENCES "tool"("id") ON DELETE CASCADE ON UPDATE CASCADE;
