import { describe, expect, it } from 'vitest';
import { modelOf, SESSION_MODELS, urlForModel } from '../../model';
import { modelOfServerName, serverName } from '../protocol';

describe('the session model of a page', () => {
  it('is what ?model= says, else the default (tokens in JS)', () => {
    expect(modelOf('?model=refresh')).toBe('refresh');
    expect(modelOf('?x=1&model=session')).toBe('session');
    expect(modelOf('')).toBe('tokens');
    expect(modelOf('?model=cookie')).toBe('tokens');
  });

  it('switches a URL to a model, keeping the rest; the default model is the plain URL', () => {
    expect(urlForModel('http://127.0.0.1:5173/?debug=1', 'session')).toBe(
      'http://127.0.0.1:5173/?debug=1&model=session',
    );
    expect(urlForModel('http://127.0.0.1:5173/?model=session', 'refresh')).toBe(
      'http://127.0.0.1:5173/?model=refresh',
    );
    expect(urlForModel('http://127.0.0.1:5173/?model=refresh#top', 'tokens')).toBe(
      'http://127.0.0.1:5173/#top',
    );
  });

  it('names one mock server per model, and each server reads its model back from its name', () => {
    const names = SESSION_MODELS.map(({ model }) => serverName(model));
    expect(new Set(names).size).toBe(3);
    for (const { model } of SESSION_MODELS) expect(modelOfServerName(serverName(model))).toBe(model);
    expect(modelOfServerName('reauth-playground-api')).toBe('tokens');
  });
});
