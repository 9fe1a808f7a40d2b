"""Every answer of the bot, in Russian and in English (for students whose Telegram language is not Russian).

``say(lang, key, **fields)`` renders one; a test checks that every key has both languages and that the fields of
the two versions agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

RU, EN = "ru", "en"

MESSAGES: dict[str, dict[str, str]] = {
    # -- /start, /help ------------------------------------------------------------------------------------------
    "help": {
        RU: "Я бот курса «{course}». Через меня вы регистрируетесь, сдаёте домашние задания ссылками на GitHub и "
            "смотрите результаты.\n\n"
            "/register КОД github-логин — привязать этот аккаунт Telegram к себе (код выдаёт преподаватель)\n"
            "/submit hwN ССЫЛКА — сдать задание: ссылка на ваш репозиторий GitHub\n"
            "/project ССЫЛКА [id напарника] — зарегистрировать репозиторий итогового проекта\n"
            "/status — ваши сдачи, оценки и проект\n"
            "/deadlines — какие задания принимаются и до когда\n"
            "/appeal hwN ТЕКСТ — попросить проверить работу заново\n"
            "/mute, /unmute — выключить или включить напоминания о дедлайнах\n"
            "/help — эта справка\n\n"
            "Ваш Telegram id: {telegram_id}",
        EN: "I am the bot of the course '{course}'. Through me you register, hand in homework as GitHub links and "
            "see your results.\n\n"
            "/register CODE github-login — link this Telegram account to you (the instructor gives you the code)\n"
            "/submit hwN LINK — hand in an assignment: a link to your GitHub repository\n"
            "/project LINK [partner's id] — register your final project repository\n"
            "/status — your submissions, marks and project\n"
            "/deadlines — which assignments are accepted, and until when\n"
            "/appeal hwN TEXT — ask for a regrade\n"
            "/mute, /unmute — turn deadline reminders off or on\n"
            "/help — this help\n\n"
            "Your Telegram id: {telegram_id}",
    },
    "help_instructor": {
        RU: "\n\nДля преподавателя:\n/stats — сводка по заданиям\n/queue — очередь проверки (grader serve)\n"
            "/broadcast ТЕКСТ — сообщение всем студентам",
        EN: "\n\nInstructor:\n/stats — summary per assignment\n/queue — the grading queue (grader serve)\n"
            "/broadcast TEXT — a message to every student",
    },
    # -- /register --------------------------------------------------------------------------------------------
    "usage_register": {
        RU: "Напишите так: /register КОД github-логин\nНапример: /register ABCD-EFGH ivanov-ivan",
        EN: "Send it like this: /register CODE github-login\nFor example: /register ABCD-EFGH ivan-ivanov",
    },
    "code_mistyped": {
        RU: "Код «{code}» набран с ошибкой: коды выглядят как ABCD-EFGH (8 знаков, латинские буквы и цифры 2–9, "
            "без 0, O, 1, I). Проверьте и отправьте ещё раз.",
        EN: "The code '{code}' is mistyped: codes look like ABCD-EFGH (8 characters, Latin letters and digits "
            "2–9, never 0, O, 1 or I). Check it and send it again.",
    },
    "code_unknown": {
        RU: "Код «{code}» не найден. Проверьте его в письме от преподавателя; если он верный — напишите "
            "преподавателю.",
        EN: "The code '{code}' is not known. Check it against the instructor's message; if it is right, write to "
            "the instructor.",
    },
    "code_used": {
        RU: "Этот код уже использован другим аккаунтом Telegram. Если это были не вы — напишите преподавателю.",
        EN: "This code has already been used by another Telegram account. If that was not you, write to the "
            "instructor.",
    },
    "bad_login": {
        RU: "«{login}» не похоже на логин GitHub: латинские буквы, цифры и дефисы, до 39 знаков (например "
            "ivanov-ivan).",
        EN: "'{login}' does not look like a GitHub login: Latin letters, digits and hyphens, up to 39 characters "
            "(for example ivan-ivanov).",
    },
    "registered": {
        RU: "Готово: этот аккаунт привязан к студенту {student}, GitHub: {login}. Теперь сдавайте задания: "
            "/submit {first} ССЫЛКА",
        EN: "Done: this account is linked to student {student}, GitHub: {login}. Now hand in work with "
            "/submit {first} LINK",
    },
    "login_updated": {
        RU: "Логин GitHub обновлён: {login} (студент {student}).",
        EN: "GitHub login updated: {login} (student {student}).",
    },
    "account_taken": {
        RU: "Этот аккаунт Telegram уже привязан к студенту {student}. Один аккаунт — один студент; если нужно "
            "исправить — напишите преподавателю.",
        EN: "This Telegram account is already linked to student {student}. One account per student; to change "
            "it, write to the instructor.",
    },
    # -- /submit ----------------------------------------------------------------------------------------------
    "usage_submit": {
        RU: "Напишите так: /submit hwN ССЫЛКА\nНапример: /submit hw1 https://github.com/ivanov-ivan/dl-hw1",
        EN: "Send it like this: /submit hwN LINK\nFor example: /submit hw1 https://github.com/ivan-ivanov/dl-hw1",
    },
    "not_registered": {
        RU: "Сначала зарегистрируйтесь: /register КОД github-логин (код выдаёт преподаватель).",
        EN: "Register first: /register CODE github-login (the instructor gives you the code).",
    },
    "unknown_assignment": {
        RU: "Задания «{name}» нет. Задания курса: {known}.",
        EN: "There is no assignment '{name}'. The course's assignments: {known}.",
    },
    "link_other_host": {
        RU: "Принимаются только ссылки на GitHub ({hosts}), а эта ведёт на {host}. Отправьте ссылку вида "
            "https://github.com/логин/репозиторий",
        EN: "Only GitHub links are accepted ({hosts}); this one goes to {host}. Send a link like "
            "https://github.com/login/repository",
    },
    "link_bad": {
        RU: "Это не ссылка на репозиторий GitHub. Отправьте ссылку вида https://github.com/логин/репозиторий",
        EN: "This is not a GitHub repository link. Send a link like https://github.com/login/repository",
    },
    "deadline_closed": {
        RU: "Приём {assignment} закрыт: дедлайн был {deadline}, и по правилам курса опоздавшая работа уже не "
            "даёт баллов. Если есть уважительная причина — напишите преподавателю.",
        EN: "{assignment} is closed: the deadline was {deadline}, and under the course rules a submission this "
            "late earns no points. If you have a good reason, write to the instructor.",
    },
    "keep_on_time": {
        RU: "Дедлайн {assignment} прошёл ({deadline}). Ваша сдача вовремя ({sha}, получена {received}) остаётся "
            "в силе; после дедлайна её заменить нельзя.",
        EN: "The deadline of {assignment} has passed ({deadline}). Your on-time submission ({sha}, received "
            "{received}) stands; it cannot be replaced after the deadline.",
    },
    "repo_not_found": {
        RU: "Репозиторий {repo} не найден или закрыт. Проверьте ссылку; если репозиторий приватный — добавьте "
            "{instructor} в коллабораторы (Settings → Collaborators) и отправьте ещё раз.",
        EN: "The repository {repo} was not found or is private. Check the link; if it is private, add "
            "{instructor} as a collaborator (Settings → Collaborators) and send it again.",
    },
    "repo_not_yours": {
        RU: "Репозиторий {repo} не принадлежит вашему логину GitHub {login}, и {login} не его коллаборатор. "
            "Сдавайте свой репозиторий (или добавьте {login} в коллабораторы).",
        EN: "The repository {repo} does not belong to your GitHub login {login}, and {login} is not a "
            "collaborator. Hand in your own repository (or add {login} as a collaborator).",
    },
    # -- /submit: the notebook checked at intake (grader.collect.intake); the active submission stays --------------
    "intake_not_released": {
        RU: "{assignment} ещё не выдано: сдать его можно после публикации задания.",
        EN: "{assignment} has not been released yet: you can hand it in once it is published.",
    },
    "intake_notebook_missing": {
        RU: "Не принято: в репозитории на последнем коммите нет тетради {name}. Запушьте её и отправьте ссылку "
            "ещё раз; прежняя сдача {assignment} остаётся в силе.",
        EN: "Not accepted: the repository's latest commit holds no {name}. Push it and send the link again; your "
            "previous submission of {assignment} stands.",
    },
    "intake_notebook_not_json": {
        RU: "Не принято: {path} — не тетрадь Jupyter (файл не читается как JSON). Сохраните тетрадь из Jupyter, "
            "запушьте и отправьте ссылку ещё раз; прежняя сдача {assignment} остаётся в силе.",
        EN: "Not accepted: {path} is not a Jupyter notebook (not valid JSON). Save the notebook from Jupyter, push "
            "it and send the link again; your previous submission of {assignment} stands.",
    },
    "intake_notebook_too_large": {
        RU: "Не принято: тетрадь {path} больше {limit_mb} МБ. Очистите выводы ячеек (Kernel → Restart & Clear "
            "Output), запушьте и отправьте ссылку ещё раз; прежняя сдача {assignment} остаётся в силе.",
        EN: "Not accepted: the notebook {path} is larger than {limit_mb} MB. Clear the cells' outputs (Kernel → "
            "Restart & Clear Output), push it and send the link again; your previous submission of {assignment} "
            "stands.",
    },
    "intake_notebook_other_assignment": {
        RU: "Не принято: {path} — это тетрадь {other}, а не {assignment}. Запушьте тетрадь {name} и отправьте "
            "ссылку ещё раз; прежняя сдача {assignment} остаётся в силе.",
        EN: "Not accepted: {path} is the notebook of {other}, not of {assignment}. Push {name} and send the link "
            "again; your previous submission of {assignment} stands.",
    },
    "intake_notebook_foreign": {
        RU: "Не принято: в {path} нет ни одной ячейки задания {assignment}. Скачайте тетрадь задания заново, "
            "решайте в ней и отправьте ссылку ещё раз; прежняя сдача {assignment} остаётся в силе.",
        EN: "Not accepted: {path} holds none of the cells of {assignment}. Download the assignment's notebook "
            "again, work in it and send the link again; your previous submission of {assignment} stands.",
    },
    "intake_notebook_ambiguous": {
        RU: "Не принято: в репозитории несколько разных тетрадей {name}, и непонятно, какую проверять. Оставьте "
            "одну и отправьте ссылку ещё раз; прежняя сдача {assignment} остаётся в силе.",
        EN: "Not accepted: the repository holds several different {name} notebooks and it is not clear which one "
            "to grade. Keep one and send the link again; your previous submission of {assignment} stands.",
    },
    "intake_notebook_elsewhere": {
        RU: "Не принято: тетрадь {assignment} найдена как {path}, а курс ждёт её по шаблону {pattern}. "
            "Переименуйте или перенесите её и отправьте ссылку ещё раз; прежняя сдача {assignment} остаётся в силе.",
        EN: "Not accepted: the notebook of {assignment} was found as {path}, and the course expects {pattern}. "
            "Rename or move it and send the link again; your previous submission of {assignment} stands.",
    },
    "repo_empty": {
        RU: "В репозитории {repo} нет ни одного коммита. Запушьте решение и отправьте ссылку ещё раз.",
        EN: "The repository {repo} has no commits yet. Push your work and send the link again.",
    },
    "submitted": {
        RU: "Принято: {assignment} — {repo}, коммит {sha}, получено {received}. {lateness}",
        EN: "Received: {assignment} — {repo}, commit {sha}, received {received}. {lateness}",
    },
    "on_time": {RU: "Вовремя (дедлайн {deadline}).", EN: "On time (deadline {deadline})."},
    "no_deadline": {RU: "Дедлайна у задания нет.", EN: "This assignment has no deadline."},
    "late": {
        RU: "С опозданием на {late} (дедлайн {deadline}); множитель баллов ×{multiplier}.",
        EN: "Late by {late} (deadline {deadline}); score multiplier ×{multiplier}.",
    },
    "not_checked": {
        RU: " Проверить тетрадь сейчас не удалось (GitHub не ответил): проверим сами чуть позже и напишем, если с "
            "ней что-то не так.",
        EN: " The notebook could not be checked now (GitHub did not answer): we will check it shortly and write to "
            "you if anything is wrong with it.",
    },
    "replaced": {
        RU: " Предыдущая сдача заменена (она сохранена в истории).",
        EN: " Your previous submission was replaced (it is kept in the history).",
    },
    # -- /project ---------------------------------------------------------------------------------------------
    "usage_project": {
        RU: "Напишите так: /project ССЫЛКА [id напарника]\nНапример: /project https://github.com/ivanov-ivan/"
            "dl-project petrov",
        EN: "Send it like this: /project LINK [partner's id]\nFor example: /project https://github.com/ivan-ivanov/"
            "dl-project petrov",
    },
    "project_solo": {
        RU: "Проект зарегистрирован: {repo} (коммит {sha}), вы работаете один.",
        EN: "Project registered: {repo} (commit {sha}); you work alone.",
    },
    "project_waiting": {
        RU: "Проект {repo} зарегистрирован с напарником {partner}. Ждём подтверждения от {partner}: ему "
            "отправлено сообщение.",
        EN: "Project {repo} registered with partner {partner}. Waiting for {partner} to confirm: they have been "
            "sent a message.",
    },
    "project_invite": {
        RU: "{student} зарегистрировал(а) итоговый проект {repo} вместе с вами. Чтобы подтвердить, отправьте:\n"
            "/project {link} {student}",
        EN: "{student} registered the final project {repo} with you as partner. To confirm, send:\n"
            "/project {link} {student}",
    },
    "project_confirmed": {
        RU: "Проект {repo} подтверждён: {members}.",
        EN: "Project {repo} confirmed: {members}.",
    },
    "partner_unknown": {
        RU: "Студент «{partner}» не зарегистрирован в боте. Напарник должен сначала выполнить /register.",
        EN: "Student '{partner}' has not registered with the bot. Your partner must /register first.",
    },
    "partner_self": {
        RU: "Нельзя указать напарником себя. Для проекта в одиночку: /project ССЫЛКА",
        EN: "You cannot be your own partner. For a solo project: /project LINK",
    },
    "partner_taken": {
        RU: "{partner} уже в подтверждённом проекте с другим студентом. Выберите другого напарника или напишите "
            "преподавателю.",
        EN: "{partner} is already in a confirmed project with someone else. Choose another partner or write to "
            "the instructor.",
    },
    "project_locked": {
        RU: "Вы уже в подтверждённом парном проекте {repo}. Изменить его может только преподаватель.",
        EN: "You are already in the confirmed pair project {repo}. Only the instructor can change it.",
    },
    # -- a result (grader.result): its status and reason codes, the same words in every student view ---------
    "res_not_due": {RU: "ещё не сдано (дедлайн {deadline})", EN: "not submitted yet (deadline {deadline})"},
    "res_missing": {RU: "не сдано → 0", EN: "not submitted → 0"},
    "res_received": {RU: "получено, ещё не собрано", EN: "received, not collected yet"},
    "res_fetch_failed": {RU: "не удалось взять из GitHub: {reason}", EN: "could not be collected: {reason}"},
    "res_collected": {RU: "получено, ещё не проверено", EN: "received, not graded yet"},
    "res_graded": {RU: "{percent}% → {mark}", EN: "{percent}% → {mark}"},
    "res_graded_pending": {RU: "{percent}% → ждёт ручной проверки, пока {mark}",
                           EN: "{percent}% → manual grading pending, so far {mark}"},
    "res_failed": {RU: "{percent}% → {mark} (проверка прервалась: {reason})",
                   EN: "{percent}% → {mark} (grading stopped: {reason})"},
    "res_fix": {RU: "исправьте и сдайте заново до дедлайна", EN: "fix it and submit again before the deadline"},
    "reason_": {RU: "причина не записана", EN: "no reason recorded"},
    "reason_timeout": {RU: "тетрадь не уложилась в лимит времени; засчитаны ячейки, которые успели выполниться",
                       EN: "the notebook ran out of time; the cells that ran count"},
    "reason_kernel_died": {RU: "ядро Python завершилось посреди проверки (os._exit, sys.exit или сбой); засчитано "
                           "то, что успело выполниться",
                           EN: "the Python kernel died during grading (os._exit, sys.exit or a crash); what ran "
                           "counts"},
    "reason_memory_limit": {RU: "тетрадь превысила лимит памяти", EN: "the notebook exceeded the memory limit"},
    "reason_tampering": {RU: "тетрадь меняла проверочный код; такие ячейки не засчитаны, преподаватель посмотрит",
                         EN: "the notebook interfered with the tests; those cells score 0 and the instructor will "
                         "look"},
    "reason_invalid_notebook": {RU: "файл не читается как тетрадь Jupyter", EN: "the file is not a valid Jupyter "
                                "notebook"},
    "reason_missing": {RU: "в сдаче нет тетради задания", EN: "the submission holds no notebook of the assignment"},
    "reason_waiting_gpu": {RU: "ждёт машину с GPU", EN: "waiting for a machine with a GPU"},
    "reason_repo_gone": {RU: "репозиторий или коммит больше не найден", EN: "the repository or the commit is gone"},
    "reason_no_access": {RU: "у курса нет доступа к репозиторию", EN: "the course cannot read the repository"},
    "reason_too_large": {RU: "репозиторий слишком большой", EN: "the repository is too large"},
    "reason_notebook_missing": {RU: "в репозитории нет тетради задания", EN: "the repository holds no notebook of "
                                "the assignment"},
    "reason_notebook_not_json": {RU: "{path} — не тетрадь Jupyter (не читается как JSON)",
                                 EN: "{path} is not a Jupyter notebook (not valid JSON)"},
    "reason_notebook_too_large": {RU: "тетрадь {path} слишком большая", EN: "the notebook {path} is too large"},
    "reason_notebook_other_assignment": {RU: "{path} — тетрадь {other}, а не этого задания",
                                         EN: "{path} is the notebook of {other}, not of this assignment"},
    "reason_notebook_foreign": {RU: "в {path} нет ячеек этого задания", EN: "{path} holds none of this "
                                "assignment's cells"},
    "reason_notebook_ambiguous": {RU: "в репозитории несколько разных тетрадей задания",
                                  EN: "the repository holds several different notebooks of the assignment"},
    "reason_temporary": {RU: "GitHub был недоступен; попробуем снова сами", EN: "GitHub could not be reached; "
                         "we will try again ourselves"},
    "reason_stopped": {RU: "GitHub был недоступен; попробуем снова сами", EN: "GitHub could not be reached; "
                       "we will try again ourselves"},
    "reason_error": {RU: "сбой проверяющей системы; попробуем снова сами", EN: "the grader failed; we will try "
                     "again ourselves"},
    # -- /status, /deadlines ------------------------------------------------------------------------------------
    "status_head": {RU: "Студент {student}, GitHub: {login}", EN: "Student {student}, GitHub: {login}"},
    "status_none": {RU: "{assignment}: не сдано", EN: "{assignment}: not submitted"},
    "status_sub": {RU: "{assignment}: {sha}, получено {received}{late}", EN: "{assignment}: {sha}, received "
                   "{received}{late}"},
    "status_late": {RU: " (опоздание {late})", EN: " (late by {late})"},
    "st_pinned": {RU: "ждёт сбора", EN: "waiting to be collected"},
    "st_collected": {RU: "собрано, ждёт проверки", EN: "collected, waiting to be graded"},
    "st_checked": {RU: "открытые тесты: пройдено {passed} из {total}; скрытые тесты и оценка — после дедлайна",
                   EN: "visible tests: {passed} of {total} passed; the hidden tests and the mark come after the "
                   "deadline"},
    "st_unreleased": {RU: "проверено; оценка будет объявлена, когда преподаватель опубликует результаты",
                      EN: "graded; the mark comes when the instructor releases the results"},
    "st_failed": {RU: "не удалось взять из GitHub: {reason}", EN: "could not be collected: {reason}"},
    "st_fix": {RU: "Исправьте и сдайте заново до дедлайна.", EN: "Fix it and submit again before the deadline."},
    "st_gpu_skipped": {RU: "ячейки для GPU не запускались и не учитываются",
                       EN: "GPU cells were not run and do not count"},
    "status_not_due": {RU: "{assignment}: ещё не сдано (дедлайн {deadline})",
                       EN: "{assignment}: not submitted yet (deadline {deadline})"},
    "st_graded": {RU: "проверено: {score}/{max_score} баллов, оценка {mark} из 8",
                  EN: "graded: {score}/{max_score} points, mark {mark} of 8"},
    "st_graded_pending": {RU: "автопроверка готова, ждёт ручной проверки", EN: "autograded, manual grading pending"},
    "st_problem": {RU: "проверка прервалась: {reason}", EN: "grading stopped: {reason}"},
    "status_h": {
        RU: "Домашняя часть сейчас: H = {h} из 8 (в итоговой оценке {points}).",
        EN: "Homework component now: H = {h} of 8 ({points} of the final grade).",
    },
    "status_h_withheld": {RU: "Домашняя часть H будет посчитана, когда преподаватель опубликует результаты.",
                          EN: "The homework component H comes when the instructor releases the results."},
    "status_project_none": {RU: "Проект: не зарегистрирован (/project ССЫЛКА)",
                            EN: "Project: not registered (/project LINK)"},
    "status_project": {RU: "Проект: {repo}, участники: {members}; {state}",
                       EN: "Project: {repo}, members: {members}; {state}"},
    "project_state_waiting": {RU: "ждём подтверждения от {who}", EN: "waiting for {who} to confirm"},
    "project_state_confirmed": {RU: "подтверждён", EN: "confirmed"},
    "project_state_defended": {RU: "защита: {defence} из 8", EN: "defence: {defence} of 8"},
    "deadline_line": {RU: "{assignment}: {deadline} (через {left})", EN: "{assignment}: {deadline} (in {left})"},
    # -- instructor ---------------------------------------------------------------------------------------------
    "instructor_only": {RU: "Эта команда только для преподавателей.", EN: "This command is for instructors only."},
    "stats_head": {RU: "Задание: сдано / опоздали / проверено / ошибки (зарегистрировано студентов: {registered})",
                   EN: "Assignment: submitted / late / graded / failed (students registered: {registered})"},
    "stats_line": {RU: "{assignment}: {submitted} / {late} / {graded} / {failed}",
                   EN: "{assignment}: {submitted} / {late} / {graded} / {failed}"},
    "usage_broadcast": {RU: "Напишите так: /broadcast ТЕКСТ", EN: "Send it like this: /broadcast TEXT"},
    "broadcast_done": {RU: "Разослано: {sent}; не доставлено: {failed}.", EN: "Sent: {sent}; not delivered: {failed}."},
    "broadcast_head": {RU: "Сообщение от преподавателя:\n\n{text}", EN: "A message from the instructor:\n\n{text}"},
    # -- results ------------------------------------------------------------------------------------------------
    "result_graded": {
        RU: "{assignment} проверено: {score}/{max_score} баллов, оценка {mark} из 8.{extra}",
        EN: "{assignment} is graded: {score}/{max_score} points, mark {mark} of 8.{extra}",
    },
    "result_late": {RU: " Опоздание {late}: множитель ×{multiplier}.",
                    EN: " Late by {late}: multiplier ×{multiplier}."},
    "result_pending": {RU: " Часть ответов ещё проверяется вручную.", EN: " Some answers are still graded by hand."},
    "result_problem": {
        RU: "{assignment}: проверка прервалась: {reason}.",
        EN: "{assignment}: grading stopped: {reason}.",
    },
    "result_fetch_failed": {
        RU: "{assignment}: не удалось взять вашу сдачу из GitHub: {reason}.",
        EN: "{assignment}: your submission could not be collected from GitHub: {reason}.",
    },
    "result_unreleased": {RU: "{assignment}: проверено; оценка будет объявлена, когда преподаватель опубликует "
                          "результаты.",
                          EN: "{assignment}: graded; the mark comes when the instructor releases the results."},
    "result_waiting": {RU: "{assignment}: сдача получена и ещё не проверена.",
                       EN: "{assignment}: your submission is received and not graded yet."},
    "result_gpu_skipped": {RU: " Ячейки для GPU не запускались и не учитываются.",
                           EN: " GPU cells were not run and do not count."},
    "feedback_caption": {RU: "Отзыв по {assignment}", EN: "Feedback on {assignment}"},
    # -- before the deadline: the visible tests (grader.autograde.visible; never a hidden test, never points) ----
    "visible_head": {RU: "Открытые тесты {assignment}: пройдено {passed} из {total}.",
                     EN: "Visible tests of {assignment}: {passed} of {total} passed."},
    "visible_none": {RU: "{assignment}: тетрадь выполнилась; открытых тестов в задании нет.",
                     EN: "{assignment}: your notebook ran; the assignment has no visible tests."},
    "visible_stopped": {RU: "Открытые тесты {assignment}: проверка прервалась — {status}.",
                        EN: "Visible tests of {assignment}: the run stopped: {status}."},
    "visible_waiting": {RU: "Открытые тесты {assignment}: сдача ждёт машину с GPU; результат придёт сюда.",
                        EN: "Visible tests of {assignment}: your submission waits for a machine with a GPU; the "
                        "result will come here."},
    "visible_failed": {RU: "{test} не пройден: {message}", EN: "{test} failed: {message}"},
    "visible_failed_plain": {RU: "{test} не пройден", EN: "{test} failed"},
    "visible_not_run": {RU: "Не запускались: {tests}.", EN: "Not run: {tests}."},
    "visible_fix": {RU: "Исправьте и сдайте заново до дедлайна: проверяется последняя сдача.",
                    EN: "Fix it and submit again before the deadline: your last submission counts."},
    "visible_later": {RU: "Скрытые тесты и оценка — после дедлайна.",
                      EN: "The hidden tests and the mark come after the deadline."},
    "vstatus_timeout": {RU: "тетрадь не уложилась в лимит времени", EN: "the notebook ran out of time"},
    "vstatus_kernel_died": {RU: "ядро Python завершилось посреди проверки (os._exit, sys.exit или сбой)",
                            EN: "the Python kernel died during the run (os._exit, sys.exit or a crash)"},
    "vstatus_memory_limit": {RU: "тетрадь превысила лимит памяти", EN: "the notebook exceeded the memory limit"},
    "vstatus_tampering": {RU: "тетрадь меняла проверочный код; преподаватель посмотрит",
                          EN: "the notebook interfered with the tests; the instructor will look"},
    "vstatus_invalid_notebook": {RU: "тетрадь не читается как тетрадь этого задания (возьмите выданную тетрадь и "
                                 "перенесите в неё ответы)",
                                 EN: "the notebook cannot be read as this assignment's (copy your answers into "
                                 "the released notebook)"},
    "vstatus_missing": {RU: "в сдаче нет тетради задания", EN: "the submission holds no notebook of the assignment"},
    "vstatus_waiting_gpu": {RU: "ждёт машину с GPU", EN: "waiting for a machine with a GPU"},
    # -- bad input ----------------------------------------------------------------------------------------------
    "unknown_command": {RU: "Команды {command} нет. Список команд: /help",
                        EN: "There is no command {command}. The commands: /help"},
    "plain_text": {RU: "Я понимаю только команды. Сдать задание: /submit hwN ССЫЛКА; все команды: /help",
                   EN: "I only understand commands. To hand in: /submit hwN LINK; all commands: /help"},
    "not_text": {RU: "Файлы, фото и стикеры я не принимаю. Сдавайте ссылкой на репозиторий: /submit hwN ССЫЛКА",
                 EN: "I do not take files, photos or stickers. Hand in a repository link: /submit hwN LINK"},
    "too_long": {RU: "Слишком длинное сообщение (больше {limit} знаков). Команды короткие: /help",
                 EN: "The message is too long (over {limit} characters). Commands are short: /help"},
    "group_chat": {RU: "Я работаю только в личных сообщениях — напишите мне напрямую.",
                   EN: "I only work in private messages — write to me directly."},
    "slow_down": {RU: "Слишком много сообщений подряд: это сообщение и следующие в ближайшие {seconds} с не будут "
                      "обработаны. Подождите и отправьте их снова.",
                  EN: "Too many messages in a row: this message and the next ones in the coming {seconds} s will not "
                      "be processed. Wait, then send them again."},
    "github_busy": {RU: "GitHub сейчас перегружен. Повторите через {minutes} мин — ничего не потеряно.",
                    EN: "GitHub is busy right now. Try again in {minutes} min — nothing was lost."},
    "try_again": {RU: "Что-то пошло не так на нашей стороне. Повторите через минуту.",
                  EN: "Something went wrong on our side. Please try again in a minute."},
    # -- /deadlines: every assignment still accepting work --------------------------------------------------------
    "deadlines_open_head": {RU: "Задания, которые принимаются сейчас ({tz}):",
                            EN: "Assignments accepted now ({tz}):"},
    "deadline_line_late": {
        RU: "{assignment}: дедлайн прошёл ({deadline}); сданное сейчас идёт с множителем ×{multiplier}",
        EN: "{assignment}: the deadline has passed ({deadline}); a submission now counts ×{multiplier}",
    },
    "deadline_line_none": {RU: "{assignment}: без дедлайна", EN: "{assignment}: no deadline"},
    "deadline_extended": {RU: " — ваш дедлайн продлён преподавателем", EN: " — your deadline, extended by the "
                          "instructor"},
    "deadlines_all_closed": {RU: "Сейчас ни одно задание не принимается.", EN: "No assignment is accepted now."},
    # -- /appeal ------------------------------------------------------------------------------------------------
    "usage_appeal": {RU: "Так: /appeal hwN ТЕКСТ — что проверить заново и почему.",
                     EN: "Like this: /appeal hwN TEXT — what to look at again, and why."},
    "appeal_recorded": {RU: "Апелляция №{id} по {assignment} записана. Ответ преподавателя придёт сюда.",
                        EN: "Appeal #{id} on {assignment} recorded. The instructor's answer will come here."},
    "appeal_empty": {RU: "В апелляции нужен текст: что проверить заново и почему.",
                     EN: "An appeal needs a text: what to look at again, and why."},
    "appeal_too_many": {RU: "У вас уже несколько открытых апелляций. Дождитесь ответа на них.",
                        EN: "You already have several open appeals. Please wait for their answers."},
    "appeal_answered": {RU: "Ответ на апелляцию №{id} по {assignment}:\n{answer}",
                        EN: "Answer to appeal #{id} on {assignment}:\n{answer}"},
    # -- reminders, /mute ---------------------------------------------------------------------------------------
    "reminder": {RU: "Напоминание: дедлайн {assignment} — {deadline} (через {left}), а задание ещё не сдано. "
                     "Сдать: /submit {assignment} ССЫЛКА. Отключить напоминания: /mute",
                 EN: "Reminder: {assignment} is due {deadline} (in {left}) and you have not submitted it yet. "
                     "Submit: /submit {assignment} LINK. Turn reminders off: /mute"},
    "muted": {RU: "Напоминания о дедлайнах отключены. Включить снова: /unmute",
              EN: "Deadline reminders are off. Turn them on again: /unmute"},
    "unmuted": {RU: "Напоминания о дедлайнах включены.", EN: "Deadline reminders are on."},
    # -- grader bot unlink --------------------------------------------------------------------------------------
    "unlinked_account": {
        RU: "Преподаватель отвязал этот аккаунт Telegram от студента {student}. Если вы другой студент — "
            "зарегистрируйтесь своим кодом: /register КОД github-логин.",
        EN: "The instructor unlinked this Telegram account from student {student}. If you are another student, "
            "register with your own code: /register CODE github-login.",
    },
    "unlinked_code_free": {
        RU: "Преподаватель освободил код студента {student}, который был привязан к чужому аккаунту. Отправьте "
            "/register КОД github-логин ещё раз.",
        EN: "The instructor freed the code of student {student}, which had been linked to another account. Send "
            "/register CODE github-login again.",
    },
}


def language_of(language_code: str | None) -> str:
    """Russian for Russian-speaking Telegram users, English for everyone else."""
    return RU if (language_code or RU).lower().startswith(RU) else EN


def say(lang: str, key: str, **fields: object) -> str:
    texts = MESSAGES[key]
    return texts.get(lang, texts[RU]).format(**fields)


def reason(lang: str, code: str, params: dict[str, object] | None = None) -> str:
    """A reason code (``grader.result``: a collector kind or an autograde status) in the reader's language; a
    code without a text is named as it is (never an English sentence)."""
    key = f"reason_{code}"
    if key not in MESSAGES:
        return code
    values = {"path": "?", "other": "?", **(params or {})}
    return say(lang, key, **values)


class VisibleTestLike(Protocol):
    grade_id: str
    state: str
    message: str


class VisibleReportLike(Protocol):
    """What ``visible_result`` reads of ``grader.autograde.visible.VisibleReport``."""

    assignment: str
    status: str

    @property
    def tests(self) -> Sequence[VisibleTestLike]: ...


def visible_result(lang: str, report: VisibleReportLike) -> str:
    """The student's message of a visible run: which visible tests passed, each failed one with its own message,
    and that the hidden tests and the mark come after the deadline. Made of the status code and the visible
    tests only: nothing in it can depend on a hidden test."""
    tests = list(report.tests)
    passed = sum(1 for t in tests if t.state == "passed")
    failed = sum(1 for t in tests if t.state == "failed")
    if report.status == "waiting_gpu":  # ours to finish, nothing for the student to fix
        return "\n".join([say(lang, "visible_waiting", assignment=report.assignment), say(lang, "visible_later")])
    if report.status != "graded":
        key = f"vstatus_{report.status}"
        status = say(lang, key) if key in MESSAGES else report.status
        lines = [say(lang, "visible_stopped", assignment=report.assignment, status=status)]
    elif passed + failed:  # the tests that ran: a GPU test not run here is named below, not counted
        lines = [say(lang, "visible_head", assignment=report.assignment, passed=passed, total=passed + failed)]
    else:
        lines = [say(lang, "visible_none", assignment=report.assignment)]
    for test in tests:
        if test.state == "failed":
            lines.append(say(lang, "visible_failed", test=test.grade_id, message=test.message) if test.message
                         else say(lang, "visible_failed_plain", test=test.grade_id))
    not_run = [t.grade_id for t in tests if t.state == "not_run"]
    if not_run and report.status == "graded":
        lines.append(say(lang, "visible_not_run", tests=", ".join(not_run)))
    if report.status != "graded" or failed:
        lines.append(say(lang, "visible_fix"))
    lines.append(say(lang, "visible_later"))
    return "\n".join(lines)


def moment(value: datetime, tz: ZoneInfo) -> str:
    """A time as students read it: in the course's time zone, with the zone's abbreviation."""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z")


def duration(seconds: float, lang: str) -> str:
    """'2 d 3 h', '3 h 5 min', '12 min' (rounded up to the minute)."""
    minutes = max(1, int(-(-seconds // 60)))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    units = ("д", "ч", "мин") if lang == RU else ("d", "h", "min")
    parts = [f"{v} {u}" for v, u in zip((days, hours, mins), units, strict=True) if v]
    return " ".join(parts[:2])


def number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
