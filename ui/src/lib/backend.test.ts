// The Tauri implementation sends the exact command names and snake_case arguments the Rust side
// registers (generated from its contract), listens to the right events, and turns rejections into `{code, message}`.
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { afterEach, describe, expect, it } from 'vitest';
import { TauriBackend, toErrorPayload } from './backend';

afterEach(() => clearMocks());

function record() {
  const calls: [string, unknown][] = [];
  mockIPC(
    (cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === 'search_talents') return [];
      if (cmd === 'connect') throw { code: 'unauthorized', message: 'Lever rejected the API key.' };
      return null;
    },
    { shouldMockEvents: true },
  );
  return calls;
}

describe('TauriBackend', () => {
  it('invokes each command with its snake_case arguments', async () => {
    const calls = record();
    const b = new TauriBackend();
    await b.listStatus();
    await b.startSandbox('lever');
    await b.syncNow(3, true);
    await b.listJobs(null, false);
    await b.searchTalents(2, 'rust berlin', 200);
    await b.listLog(null, 500);
    await b.openFile(42);
    expect(calls).toEqual([
      ['list_status', {}],
      ['start_sandbox', { provider: 'lever' }],
      ['sync_now', { connection_id: 3, full: true }],
      ['list_jobs', { connection_id: null, include_archived: false }],
      ['search_talents', { connection_id: 2, query: 'rust berlin', limit: 200 }],
      ['list_log', { connection_id: null, limit: 500 }],
      ['open_file', { file_id: 42 }],
    ]);
  });

  it('sends the profile commands with the argument names the shell takes', async () => {
    const calls = record();
    const b = new TauriBackend();
    await b.talentProfile(12);
    await b.talentNotes(12, true);
    await b.openInAts(12, null);
    await b.openInAts(12, 'app-3');
    expect(calls).toEqual([
      ['talent_profile', { talent_id: 12 }],
      ['talent_notes', { talent_id: 12, refresh: true }],
      ['open_in_ats', { talent_id: 12, application: null }],
      ['open_in_ats', { talent_id: 12, application: 'app-3' }],
    ]);
  });

  it('sends the duplicate commands with the argument names the shell takes', async () => {
    const calls = record();
    const b = new TauriBackend();
    await b.duplicates();
    await b.duplicatesOf(5);
    await b.markNotDuplicate(5, 9);
    await b.linkSamePerson(5, 9);
    await b.unlinkPerson(9);
    expect(calls).toEqual([
      ['duplicates', {}],
      ['duplicates_of', { talent_id: 5 }],
      ['mark_not_duplicate', { a: 5, b: 9 }],
      ['link_same_person', { a: 5, b: 9 }],
      ['unlink_person', { talent_id: 9 }],
    ]);
  });

  it('sends the two-way commands with the argument names the shell takes', async () => {
    const calls = record();
    const b = new TauriBackend();
    await b.jobBoard(1, '4001');
    await b.setMapping(1, 'Onsite', null, null);
    await b.moveApplication(1, 'app-9', 'Interview');
    await b.addNote(1, 'cand-3', '  <b>as typed</b>\n');
    await b.resolveConflict(7, true);
    await b.outbox(null);
    await b.reorderPipelineStages([3, 1, 2]);
    expect(calls).toEqual([
      ['job_board', { connection_id: 1, job_remote_id: '4001' }],
      ['set_mapping', { connection_id: 1, ats_stage: 'Onsite', to: null, job: null }],
      ['move_application', { connection_id: 1, application: 'app-9', stage: 'Interview' }],
      ['add_note', { connection_id: 1, talent: 'cand-3', text: '  <b>as typed</b>\n' }],
      ['resolve_conflict', { outbox_id: 7, apply_mine: true }],
      ['outbox', { connection_id: null }],
      ['reorder_pipeline_stages', { stage_ids: [3, 1, 2] }],
    ]);
  });

  it('sends connect as one `input` object without blank optional fields', async () => {
    const calls = record();
    const b = new TauriBackend();
    const err = await b
      .connect({ provider: 'greenhouse', name: ' Acme ', secret: 's3cret', client_id: 'cid', user_id: '42', base_url: ' ', auth_url: '' })
      .catch((e: unknown) => e);
    expect(calls).toEqual([
      ['connect', { input: { provider: 'greenhouse', name: 'Acme', secret: 's3cret', client_id: 'cid', user_id: '42', base_url: null, auth_url: null } }],
    ]);
    expect(err).toEqual({ code: 'unauthorized', message: 'Lever rejected the API key.' });
  });

  it('sends reconnect with the connection id and the cleaned input, and disconnect with purge', async () => {
    const calls = record();
    const b = new TauriBackend();
    await b.reconnect(4, { secret: 'new-key', client_id: '  ', user_id: null });
    await b.disconnect(4, false);
    await b.disconnect(5, true);
    expect(calls).toEqual([
      ['reconnect', { connection_id: 4, input: { secret: 'new-key', client_id: null, user_id: null } }],
      ['disconnect', { connection_id: 4, purge: false }],
      ['disconnect', { connection_id: 5, purge: true }],
    ]);
  });

  it('listens to status_changed and models_changed', async () => {
    record();
    const b = new TauriBackend();
    const statuses: unknown[] = [];
    const models: unknown[] = [];
    const u1 = await b.onStatusChanged((s) => statuses.push(s));
    const u2 = await b.onModelsChanged((m) => models.push(m));
    await emit('status_changed', []);
    await emit('models_changed', { connection_id: 7 });
    expect(statuses).toEqual([[]]);
    expect(models).toEqual([{ connection_id: 7 }]);
    u1();
    u2();
  });
});

describe('toErrorPayload', () => {
  it('keeps {code, message} and wraps anything else', () => {
    expect(toErrorPayload({ code: 'validation', message: 'Name?' })).toEqual({ code: 'validation', message: 'Name?' });
    expect(toErrorPayload('boom')).toEqual({ code: 'internal', message: 'boom' });
    expect(toErrorPayload(new Error('bad'))).toEqual({ code: 'internal', message: 'bad' });
  });
});
