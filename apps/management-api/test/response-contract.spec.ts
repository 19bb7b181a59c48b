import { Controller, Get, HttpCode, Module, Post, Res } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Public } from '../src/common/auth/roles.decorator';
import type { ApiResponse } from '../src/common/http/request';
import { ApiDoc } from '../src/common/openapi/api-doc.decorator';
import { AppError } from '@apim/errors';
import { expectProblem, TestApp } from './harness';

const thing = z.object({ id: z.uuid(), name: z.string() });
const ID = '7a1f3a4e-2b51-4c1e-9f53-0d4b2f6c9e10';

/** Test-only routes that answer what their contract says, and what it does not. */
@Controller('contract-check')
class ContractCheckController {
  @Get('good')
  @Public()
  @ApiDoc({ summary: 'matches', public: true, response: thing })
  good() {
    return { id: ID, name: 'ok' };
  }

  @Get('wrong-type')
  @Public()
  @ApiDoc({ summary: 'id is not a uuid', public: true, response: thing })
  wrongType() {
    return { id: 42, name: 'ok' };
  }

  @Get('missing-field')
  @Public()
  @ApiDoc({ summary: 'name is missing', public: true, response: thing })
  missingField() {
    return { id: ID };
  }

  @Get('extra-field')
  @Public()
  @ApiDoc({ summary: 'an undocumented field', public: true, response: thing })
  extraField() {
    return { id: ID, name: 'ok', secret: 'leaked' };
  }

  @Post('wrong-status')
  @Public()
  @HttpCode(200)
  @ApiDoc({ summary: 'documented 201, answers 200', public: true, response: thing, status: 201 })
  wrongStatus() {
    return { id: ID, name: 'ok' };
  }

  @Get('raw')
  @Public()
  @ApiDoc({ summary: 'written by the handler itself', public: true, response: thing })
  raw(@Res() res: ApiResponse) {
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ id: 'not-a-uuid', name: 'ok' }));
  }

  @Get('bad-problem')
  @Public()
  @ApiDoc({ summary: 'an error that is not the problem shape', public: true, response: thing })
  badProblem(@Res() res: ApiResponse) {
    res.statusCode = 409;
    res.setHeader('content-type', 'application/problem+json');
    res.end(JSON.stringify({ title: 'Conflict', status: 409, code: 'no_such_code' }));
  }

  @Get('plain-error')
  @Public()
  @ApiDoc({ summary: 'an error as plain JSON', public: true, response: thing })
  plainError(@Res() res: ApiResponse) {
    res.statusCode = 400;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ message: 'bad' }));
  }

  @Get('app-error')
  @Public()
  @ApiDoc({ summary: 'a thrown AppError', public: true, response: thing })
  appError() {
    throw new AppError('conflict', 'Already taken');
  }
}

@Module({ controllers: [ContractCheckController] })
class ContractCheckModule {}

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start('contract', {}, { modules: [ContractCheckModule] });
});
afterAll(async () => {
  // The deliberate mismatches below were asserted one by one.
  t?.contract.reset();
  await t?.stop();
});

/** Calls a route that breaks its contract: the harness throws, and the wire says 500. */
async function expectCaught(method: string, path: string, problem: RegExp): Promise<void> {
  await expect(t.call(method, path)).rejects.toThrow(problem);
  const m = t.contract.mismatches.at(-1);
  expect(m?.url).toBe(path);
  const r = await fetch(t.base + path, { method });
  expect(r.status).toBe(500);
  const body = (await r.json()) as { code: string; detail: string };
  expect(body.code).toBe('internal_error');
  expect(body.detail).toMatch(problem);
  t.contract.reset();
}

describe('response contract check (every management API test response is validated)', () => {
  it('lets a response that matches its schema through', async () => {
    const r = await t.call('GET', '/v1/contract-check/good');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ id: ID, name: 'ok' });
  });

  it('fails a field of the wrong type', async () => {
    await expectCaught('GET', '/v1/contract-check/wrong-type', /id: Invalid input: expected string, received number/);
  });

  it('fails a missing field', async () => {
    await expectCaught('GET', '/v1/contract-check/missing-field', /name: Invalid input/);
  });

  it('fails a field the schema does not declare', async () => {
    await expectCaught('GET', '/v1/contract-check/extra-field', /secret: not declared by the schema/);
  });

  it('fails a success status other than the documented one', async () => {
    await expectCaught('POST', '/v1/contract-check/wrong-status', /status 200, documented 201/);
  });

  it('covers handlers that write the response themselves', async () => {
    await expectCaught('GET', '/v1/contract-check/raw', /id: Invalid UUID/);
  });

  it('lets a problem+json error through (an AppError, an unknown route)', async () => {
    expectProblem(await t.call('GET', '/v1/contract-check/app-error'), 409, 'conflict');
    expectProblem(await t.call('GET', '/v1/contract-check/nope'), 404, 'not_found');
  });

  it('fails an error body that is not the problem shape', async () => {
    await expectCaught('GET', '/v1/contract-check/bad-problem', /problem code: Invalid option/);
  });

  it('fails an error that is not problem+json', async () => {
    await expectCaught('GET', '/v1/contract-check/plain-error', /status 400 as application\/json, not problem\+json/);
  });
});
