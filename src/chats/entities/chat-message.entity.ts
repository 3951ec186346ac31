import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UnmanagedIndex } from '../../database/unmanaged-index';
import { numeric } from '../../database/transformers';
import { Chat } from './chat.entity';

export type ChatAuthorRole = 'manager' | 'client' | 'system';

@Entity('chat_messages')
@Index('UQ_chat_messages_bitrix_id', ['chatId', 'bitrixMessageId'], { unique: true })
@Index('IDX_chat_messages_chat_sent_at', ['chatId', 'sentAt'])
@UnmanagedIndex('IDX_chat_messages_tsv', ['tsv'])
export class ChatMessage {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  chatId: number;

  @ManyToOne(() => Chat, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'chat_id' })
  chat?: Chat;

  @Column({ type: 'bigint', transformer: numeric })
  bitrixMessageId: number;

  @Column({ type: 'varchar', length: 16 })
  authorRole: ChatAuthorRole;

  @Column({ type: 'int', nullable: true })
  authorId: number | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  authorName: string | null;

  @Column({ type: 'text' })
  text: string;

  @Column({ type: 'timestamptz' })
  sentAt: Date;

  @Column({ type: 'tsvector', select: false, insert: false, update: false, nullable: true })
  tsv?: string;
}
