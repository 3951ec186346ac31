import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DepartmentDto, EmployeeDto } from './employee.dto';
import { EmployeesService } from './employees.service';

@ApiTags('employees')
@Controller()
export class EmployeesController {
  constructor(private readonly employees: EmployeesService) {}

  @Get('employees')
  @ApiOperation({ summary: 'Employees for the filters, active first, by name' })
  @ApiOkResponse({ type: [EmployeeDto] })
  listEmployees(): Promise<EmployeeDto[]> {
    return this.employees.employees();
  }

  @Get('departments')
  @ApiOperation({ summary: 'Departments with their number of employees' })
  @ApiOkResponse({ type: [DepartmentDto] })
  listDepartments(): Promise<DepartmentDto[]> {
    return this.employees.departments();
  }
}
