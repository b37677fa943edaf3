// The Tauri implementation sends the exact command names and camelCase arguments the Rust side
// registers, listens to the right events, and turns rejections into `{code, message}`.
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
  it('invokes each command with its camelCase arguments', async () => {
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
      ['sync_now', { connectionId: 3, full: true }],
      ['list_jobs', { connectionId: null, includeArchived: false }],
      ['search_talents', { connectionId: 2, query: 'rust berlin', limit: 200 }],
      ['list_log', { connectionId: null, limit: 500 }],
      ['open_file', { fileId: 42 }],
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
      ['talent_profile', { talentId: 12 }],
      ['talent_notes', { talentId: 12, refresh: true }],
      ['open_in_ats', { talentId: 12, application: null }],
      ['open_in_ats', { talentId: 12, application: 'app-3' }],
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
      ['duplicates_of', { talentId: 5 }],
      ['mark_not_duplicate', { a: 5, b: 9 }],
      ['link_same_person', { a: 5, b: 9 }],
      ['unlink_person', { talentId: 9 }],
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
      ['job_board', { connectionId: 1, jobRemoteId: '4001' }],
      ['set_mapping', { connectionId: 1, atsStage: 'Onsite', to: null, job: null }],
      ['move_application', { connectionId: 1, application: 'app-9', stage: 'Interview' }],
      ['add_note', { connectionId: 1, talent: 'cand-3', text: '  <b>as typed</b>\n' }],
      ['resolve_conflict', { outboxId: 7, applyMine: true }],
      ['outbox', { connectionId: null }],
      ['reorder_pipeline_stages', { stageIds: [3, 1, 2] }],
    ]);
  });

  it('sends connect as one `input` object without blank optional fields', async () => {
    const calls = record();
    const b = new TauriBackend();
    const err = await b
      .connect({ provider: 'greenhouse', name: ' Acme ', secret: 's3cret', clientId: 'cid', userId: '42', baseUrl: ' ', authUrl: '' })
      .catch((e: unknown) => e);
    expect(calls).toEqual([
      ['connect', { input: { provider: 'greenhouse', name: 'Acme', secret: 's3cret', clientId: 'cid', userId: '42' } }],
    ]);
    expect(err).toEqual({ code: 'unauthorized', message: 'Lever rejected the API key.' });
  });

  it('sends reconnect with the connection id and the cleaned input, and disconnect with purge', async () => {
    const calls = record();
    const b = new TauriBackend();
    await b.reconnect(4, { provider: 'lever', name: 'Lever – Acme', secret: 'new-key', baseUrl: '  ' });
    await b.disconnect(4, false);
    await b.disconnect(5, true);
    expect(calls).toEqual([
      ['reconnect', { connectionId: 4, input: { provider: 'lever', name: 'Lever – Acme', secret: 'new-key' } }],
      ['disconnect', { connectionId: 4, purge: false }],
      ['disconnect', { connectionId: 5, purge: true }],
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
