import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testModels } from '@herd/core/testing';
import { describe, expect, it } from 'vitest';
import { createFailingTestRepository } from '../../../../test/engine/fixture-repository.js';
import { useAcpAgentFixture } from './acp-agent-fixture.js';
import { agentText } from './acp-test-editor.js';

const fixture = useAcpAgentFixture();
const { startEditor, newSession, prompt, scriptPlan, scriptFix } = fixture;

describe('herd acp undo (in process)', () => {
  it('offers /undo, which restores the files to before the last run, then goes one run further back', async () => {
    const workspace = createFailingTestRepository();
    const editor = await startEditor();
    editor.answerWith(() => 'allow_once');
    const sessionId = await newSession(editor, workspace, 'act');
    scriptPlan();
    scriptFix();
    await prompt(editor, sessionId, 'make the failing test pass');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');

    expect((await prompt(editor, sessionId, '/undo')).stopReason).toBe('end_turn');

    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');
    expect(agentText(editor.updates(sessionId))).toContain('- `src/add.js` restored');
    await prompt(editor, sessionId, '/undo');
    expect(agentText(editor.updates(sessionId))).toContain('Nothing to undo');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');
    expect(fixture.server.chatRequests()).toHaveLength(3);
  });

  it('undoes only the last run with /undo, even when a person already reverted its change by hand', async () => {
    const workspace = createFailingTestRepository();
    const editor = await startEditor();
    editor.answerWith(() => 'allow_once');
    const sessionId = await newSession(editor, workspace, 'act');
    scriptPlan();
    scriptFix();
    await prompt(editor, sessionId, 'make the failing test pass');
    scriptPlan();
    fixture.server.enqueue(
      [
        {
          toolCalls: [
            {
              name: 'edit_file',
              arguments: { path: 'src/add.js', edits: [{ search: 'left + right', replace: 'right + left' }] },
            },
          ],
        },
        { content: 'Swapped.' },
      ],
      { model: testModels.actor },
    );
    await prompt(editor, sessionId, 'put right first');
    const add = join(workspace, 'src/add.js');
    writeFileSync(add, readFileSync(add, 'utf8').replace('right + left', 'left + right'));

    await prompt(editor, sessionId, '/undo');

    expect(agentText(editor.updates(sessionId))).toContain('(nothing differed)');
    expect(readFileSync(add, 'utf8')).toContain('left + right');
  });

  it('/undo keeps files edited by hand, and asks before overwriting a file edited after Herd changed it', async () => {
    const workspace = createFailingTestRepository();
    const editor = await startEditor();
    let overwrite: 'allow_once' | 'reject' = 'reject';
    editor.answerWith((params) =>
      params.toolCall.title?.startsWith('Undo would overwrite') ? overwrite : 'allow_once',
    );
    const sessionId = await newSession(editor, workspace, 'act');
    scriptPlan();
    scriptFix();
    await prompt(editor, sessionId, 'make the failing test pass');
    const add = join(workspace, 'src/add.js');
    writeFileSync(add, `${readFileSync(add, 'utf8')}// tuned by hand\n`);
    writeFileSync(join(workspace, 'mine.txt'), 'created by hand\n');

    expect((await prompt(editor, sessionId, '/undo')).stopReason).toBe('end_turn');

    const asked = editor.permissions.filter((permission) =>
      permission.params.toolCall.title?.startsWith('Undo would overwrite'),
    );
    expect(asked).toHaveLength(1);
    expect(asked[0]?.params.toolCall.title).toContain('src/add.js');
    expect(agentText(editor.updates(sessionId))).toContain('Nothing was undone');
    expect(readFileSync(add, 'utf8')).toContain('// tuned by hand');

    overwrite = 'allow_once';
    await prompt(editor, sessionId, '/undo');

    expect(readFileSync(add, 'utf8')).toContain('left - right');
    expect(readFileSync(add, 'utf8')).not.toContain('tuned by hand');
    expect(readFileSync(join(workspace, 'mine.txt'), 'utf8')).toBe('created by hand\n');
    expect(agentText(editor.updates(sessionId))).toContain('(your later edit was overwritten)');
  });

  it('undoes one step of the last run with /undo step-1, and says when no run has the step', async () => {
    const workspace = createFailingTestRepository();
    const editor = await startEditor();
    editor.answerWith(() => 'allow_once');
    const sessionId = await newSession(editor, workspace, 'act');
    scriptPlan();
    scriptFix();
    await prompt(editor, sessionId, 'make the failing test pass');

    await prompt(editor, sessionId, '/undo step-9');
    expect(agentText(editor.updates(sessionId))).toContain('no run of this session has a step `step-9`');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');
    await prompt(editor, sessionId, '/undo step-1');
    expect(agentText(editor.updates(sessionId))).toContain('before step `step-1` of run');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');
  });
});
