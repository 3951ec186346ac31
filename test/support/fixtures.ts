import { DataSource, DeepPartial } from 'typeorm';
import { Analysis } from '../../src/calls/entities/analysis.entity';
import { Call } from '../../src/calls/entities/call.entity';
import { Transcript } from '../../src/calls/entities/transcript.entity';
import { Department } from '../../src/employees/department.entity';
import { Employee } from '../../src/employees/employee.entity';

export async function addDepartment(dataSource: DataSource, name: string): Promise<Department> {
  return dataSource.getRepository(Department).save({ name });
}

export async function addEmployee(dataSource: DataSource, name: string, departments: Department[] = []): Promise<Employee> {
  return dataSource.getRepository(Employee).save({ name, departmentIds: departments.map((department) => department.id) });
}

export async function addCall(dataSource: DataSource, fields: DeepPartial<Call> = {}): Promise<Call> {
  return dataSource.getRepository(Call).save({
    source: 'bitrix',
    direction: 'incoming',
    startedAt: new Date(),
    durationSec: 60,
    status: 'new',
    ...fields,
  } as DeepPartial<Call>);
}

export async function addTranscript(dataSource: DataSource, call: Call, text: string): Promise<Transcript> {
  const segments = [{ start: 0, end: 5, speaker: 'manager' as const, text }];
  return dataSource.getRepository(Transcript).save({ callId: call.id, text, segments, engine: 'test', model: 'test' });
}

export async function addAnalysis(dataSource: DataSource, call: Call, result: Record<string, unknown>, version = 1): Promise<Analysis> {
  const analysis = await dataSource.getRepository(Analysis).save({
    callId: call.id,
    version,
    result,
    scoreOverall: 70,
    riskLevel: 'low',
    model: 'gpt-4o',
    promptVersion: 'p1',
    criteriaVersion: 'c1',
    inputHash: `hash-${call.id}-${version}`,
  });
  await dataSource.getRepository(Call).update(call.id, { latestAnalysisId: analysis.id, status: 'analyzed' });
  return analysis;
}
