import { Module } from '@nestjs/common';
import { ApisModule } from '../apis/apis.module';
import { ApiImportController } from './api-import.controller';
import { ApiImportService } from './api-import.service';

@Module({ imports: [ApisModule], controllers: [ApiImportController], providers: [ApiImportService] })
export class ApiImportModule {}
