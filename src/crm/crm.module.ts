import { Module } from '@nestjs/common';
import { CrmWriteBack } from './crm-write-back.service';
import { CrmScheduler } from './crm.scheduler';

/** Analysis results written back to the Bitrix24 CRM timeline (setting `crm.writeBack`). */
@Module({ providers: [CrmWriteBack, CrmScheduler], exports: [CrmWriteBack] })
export class CrmModule {}
